"""The demo of `make run` (manage.py demo_load), at the top of the stack: the register of
records.demo and, on top of it, status changes made through the approval flows as the demo's
people would make them. Nothing in the site imports it.
"""
