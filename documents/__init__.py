"""Documents as PDF (WeasyPrint, A4, Noto CJK): the student record card (学籍卡), the transfer
certificate with its stub and receipt (转学证明、存根、回执) and the suspension certificate (休学证明).

    selectors     who may get which document (a 404 for anyone else)
    numbers       the document numbers: unique, and the same on every reprint
    student_card  certificates   what each document shows
    pdf           rendering (nothing fetched) and the download response

Templates are under templates/documents/.
"""
