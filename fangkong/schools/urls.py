from fangkong.schools.views import urlpatterns  # noqa: F401
