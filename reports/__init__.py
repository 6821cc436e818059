"""Statistics and term reports (学籍统计, 学期学籍异动报表): above the register and the flows.

They count the status changes the flows completed, so they read both records/ and flows/; the
register itself (records/) imports nothing from here. The dropout follow-up list (控辍保学)
reads only students and lives in records/.
"""
