"""
WSGI config for aidledger project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from aidledger.startup import refuse_weak_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")

application = get_wsgi_application()
refuse_weak_secret_key()  # after setup, so the settings are read; a server with a weak key stops here
