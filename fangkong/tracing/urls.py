from fangkong.tracing.views import cases, chains, contacts

# The fixed words (contacts/, clusters/, chain/) come before <int:pk>/… only by not matching an int.
urlpatterns = cases.urlpatterns + contacts.urlpatterns + chains.urlpatterns
