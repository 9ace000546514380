"""Server-rendered pages: home, exhibitors, expos, forums, speakers, deals and the search
across them; one module a kind of record."""
