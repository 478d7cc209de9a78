from fangkong.measures.views import followups, keypersons, sites

urlpatterns = keypersons.urlpatterns + sites.urlpatterns + followups.urlpatterns
