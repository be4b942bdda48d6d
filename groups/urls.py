from django.urls import path

from groups import views

app_name = "groups"
urlpatterns = [
    path("", views.home, name="home"),
    path("kelompok/profil/", views.profile, name="profile"),
    path("kelompok/anggota/", views.members, name="members"),
    path("kelompok/anggota/semua/", views.members_edit, name="members_edit"),
    path("kelompok/anggota/draf/", views.members_draft, name="members_draft"),
    path("kelompok/anggota/draf/buang/", views.members_draft_discard, name="members_draft_discard"),
    path("kelompok/anggota/tambah/", views.member_add, name="member_add"),
    path("kelompok/anggota/<int:pk>/ubah/", views.member_edit, name="member_edit"),
    path("kelompok/anggota/<int:pk>/hapus/", views.member_remove, name="member_remove"),
    path("wilayah/kabupaten/", views.regency_options, name="regency_options"),
    path("kelompok/cek-nik/", views.nik_check, name="nik_check"),
]
