"""Demo users and cases for `make run` (manage.py seed_demo)."""
