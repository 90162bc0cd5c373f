import os

from django.core.wsgi import get_wsgi_application

from followthrough.config import make_data_dir

make_data_dir()  # importing the settings creates nothing; the app, once started, needs it
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
application = get_wsgi_application()
