"""Deploy checks (``strongroom check --deploy``)."""
