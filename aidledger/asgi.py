"""
ASGI config for aidledger project.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

from aidledger.startup import refuse_weak_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")

application = get_asgi_application()
refuse_weak_secret_key()  # after setup, so the settings are read; a server with a weak key stops here
