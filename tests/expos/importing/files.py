"""What the importer tests share: the sectors the files name, and the files themselves."""

from django.core.management import call_command

HEADER = "slug,name,country,city,sectors,website,expo,expo_name,expo_year,expo_country,showcase\n"
GOOD = HEADER + (
    "acme-iot,Acme IoT,ES,Barcelona,digital-twin;smart-lighting,https://acme.example,"
    "scewc-2030,SCEWC 2030,2030,ES,Twin city demo\n"
    "acme-iot,Acme IoT,ES,Barcelona,digital-twin;smart-lighting,https://acme.example,"
    "sce-2031,SCE 2031,2031,CN,Lamps\n"
    "beijing-zhicheng,北京智城科技,CN,北京,,,scewc-2030,SCEWC 2030,2030,ES,\n"
)


def write(tmp_path, text, name="directory.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path):
    call_command("import_directory", path, "--no-progress")
