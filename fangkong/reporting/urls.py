from fangkong.reporting.views import daily, dashboard

urlpatterns = daily.urlpatterns + dashboard.urlpatterns
