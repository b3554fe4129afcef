"""Ways in: sign-in flows (``flows``), sign-up (``signup``) and the API's token exchange
(``api``)."""
