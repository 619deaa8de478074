"""The invented people of the demo matter.

Every name, address, number and account here was made up for Redaction
Reviewer's demo: no real person, no name list. Phone numbers use the ranges
reserved for fiction (US 555-01xx, UK 020 7946 0xxx), e-mail addresses the
example.* domains, card numbers the public test numbers, IP addresses the
documentation ranges, and every key or token contains EXAMPLE.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    email: str
    phone: str
    street: str
    unit: str
    city: str
    region: str
    postcode: str
    dob: str
    handle: str
    username: str
    employer: str
    ssn: str
    passport: str
    account: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def locality(self) -> str:
        """'City, ST 12345' in the US, 'City N16 4XQ' where there is no region."""
        if self.region:
            return f"{self.city}, {self.region} {self.postcode}"
        return f"{self.city} {self.postcode}"

    @property
    def address_line(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.locality}"

    @property
    def address_block(self) -> str:
        unit = f"\n{self.unit}" if self.unit else ""
        return f"{self.name}\n{self.street}{unit}\n{self.locality}"


PEOPLE: tuple[Person, ...] = (
    Person("Marisol", "Quenby", "marisol.quenby@example.com", "(541) 555-0142",
           "4172 Larkspur Hollow Road", "Apt 3B", "Fernvale", "OR", "97342",
           "March 14, 1987", "marisolq_designs", "mquenby", "Brightwater Dental Group",
           "901-44-2718", "X48291736", "4401 2208 9315"),
    Person("Tobiah", "Wrenfield", "t.wrenfield@example.net", "+1 (312) 555-0187",
           "88 Cobbler's Row", "Unit 12", "Ashgrove", "IL", "60914",
           "1991-07-02", "tobiwren", "tobiah.wrenfield", "Kestrel Freight Systems",
           "902-51-6630", "Y20750418", "0077 3318 2045"),
    Person("Dorothea", "Pellingham", "dora.pellingham@example.org", "020 7946 0321",
           "Flat 6, 19 Quillmoor Gardens", "", "London", "", "N16 4XQ",
           "22/09/1979", "dorapell", "dpellingham", "Harrowgate Lettings",
           "", "553018842", "GB82 WEST 1234 5698 7654 32"),
    Person("Anselm", "Okafor-Reyes", "anselm.okafor.reyes@example.com", "(737) 555-0119",
           "2290 Mesquite Bend Drive", "", "Cedar Flats", "TX", "78611",
           "11/30/1984", "anselm_codes", "aokafor", "Pinewire Analytics",
           "903-27-5581", "Z93017255", "7718 0024 6639"),
    Person("Priyanka", "Velloor", "priyanka.velloor@example.net", "(408) 555-0173",
           "501 Alderwick Court", "Suite 210", "Marlow Springs", "CA", "95132",
           "5 June 1993", "priyavelloor", "pvelloor", "Lumen Loop Software",
           "904-63-1207", "U71842093", "3309 5521 8874"),
    Person("Jonas", "Harkavy", "jonas.harkavy@example.org", "+1 646 555 0158",
           "37 Thistledown Lane", "", "Brookhollow", "NY", "12571",
           "August 3, 1969", "jharkavy", "jharkavy", "Harkavy & Lisle Accounting",
           "905-18-3342", "W55120964", "6620 1187 0453"),
    Person("Ingrid", "Solvang-Mettler", "ingrid.sm@example.com", "(971) 555-0126",
           "1208 Heronsgate Avenue", "Apt 5", "Willowmere", "OR", "97077",
           "1958-12-19", "ingrid_knits", "isolvang", "retired",
           "906-40-7719", "V30418827", "1194 7730 2256"),
    Person("Cassius", "Thornbury", "cassius.thornbury@example.net", "(303) 555-0164",
           "940 Red Shale Circle", "", "Granite Fork", "CO", "80492",
           "04/17/1996", "cass_thorn", "cthornbury", "Summit Reach Outfitters",
           "907-82-0064", "T66209135", "5547 0091 3328"),
    Person("Lucinda", "Farrowgate", "lucinda.farrowgate@example.com", "07700 900417",
           "14 Marsh Pippin Close", "", "Little Hembury", "Devon", "EX14 9QT",
           "2 February 1982", "lucyfarrow", "lfarrowgate", "Hembury Veterinary Practice",
           "", "548221907", "GB33 BUKB 2020 1555 5555 55"),
    Person("Emeka", "Adeyinka-Lowe", "emeka.al@example.org", "(404) 555-0191",
           "615 Magnolia Terrace", "Apt 14C", "East Pellham", "GA", "30388",
           "1989-10-25", "emeka_builds", "eadeyinka", "Terracotta Health Partners",
           "908-35-4470", "S81736204", "8806 4412 7790"),
    Person("Henrietta", "Vosk", "hvosk@example.com", "+1 206 555 0135",
           "7720 Cormorant Way NE", "", "Salt Harbor", "WA", "98377",
           "June 9, 1975", "hen_vosk", "hvosk", "Vosk Ceramics Studio",
           "909-66-2093", "R40298716", "2251 6093 4418"),
    Person("Rafael", "Ibarguen Soto", "rafa.ibarguen@example.net", "(305) 555-0148",
           "3301 Coral Vine Street", "Apt 802", "Bayshore Pointe", "FL", "33197",
           "07/21/1990", "rafa_ibs", "ribarguen", "Azulejo Travel Co.",
           "910-24-8815", "Q17720548", "9913 0027 6654"),
    Person("Beatrix", "Colquhoun-Mayne", "beatrix.cm@example.org", "020 7946 0876",
           "Flat 2, 41 Saltings Road", "", "Brighthelm", "East Sussex", "BN3 7WP",
           "30 November 1971", "trixcm", "bcolquhoun", "Mayne & Partners Solicitors",
           "", "537719204", "DE89 3704 0044 0532 0130 00"),
    Person("Wendell", "Oyelaran", "wendell.oyelaran@example.com", "(614) 555-0103",
           "49 Buckeye Orchard Road", "", "North Calloway", "OH", "43090",
           "1977-03-08", "wendell_o", "woyelaran", "Calloway School District",
           "911-58-3306", "P62093371", "4470 1182 3359"),
    Person("Saoirse", "Dunleavy", "saoirse.dunleavy@example.net", "(617) 555-0150",
           "12 Beacon Lantern Street", "#4", "Quincy Harbor", "MA", "02179",
           "9/12/2001", "saoirsedraws", "sdunleavy", "Northeastern Lighthouse College",
           "912-07-1148", "N24880173", "6031 9947 2208"),
    Person("Kenji", "Morrow-Takeda", "kenji.mt@example.org", "(808) 555-0177",
           "2045 Ohia Ridge Road", "", "Kailani", "HI", "96791",
           "December 1, 1986", "kenjimt", "kmorrow", "Trade Wind Robotics",
           "913-92-6604", "M90317742", "1408 2259 6671"),
    Person("Odalys", "Ferreira-Quint", "odalys.fq@example.com", "(702) 555-0138",
           "880 Sagebrush Plaza", "Apt 19", "Desert Hollow", "NV", "89177",
           "1995-05-27", "odalys.fq", "ofquint", "Silver Mesa Casino Resort",
           "914-31-0957", "L53302618", "7702 3348 9915"),
    Person("Bartholomew", "Pike-Arden", "bart.pikearden@example.net", "+44 20 7946 0554",
           "The Old Forge, 3 Wickham Lane", "", "Stoke Ashby", "Oxfordshire", "OX29 8LD",
           "15/04/1964", "bart_pa", "bpikearden", "Ashby Clockworks Ltd",
           "", "529904173", "GB94 BARC 1020 1530 0934 59"),
    Person("Mirela", "Stanciu-Hale", "mirela.sh@example.org", "(612) 555-0182",
           "5511 Prairie Smoke Road", "", "Lindgren Falls", "MN", "55493",
           "October 28, 1983", "mirela_sh", "mstanciu", "Lakes Region Credit Union",
           "915-76-2281", "K28861930", "3357 2240 1186"),
    Person("Theo", "Vantongeren", "theo.vantongeren@example.com", "(503) 555-0129",
           "216 Filbert Spur", "", "Hollis Ridge", "OR", "97206",
           "1999-01-16", "theovt", "tvantongeren", "Cascade Bicycle Cooperative",
           "916-13-8840", "J71120356", "9058 6613 0047"),
    Person("Agathe", "Rimbault", "agathe.rimbault@example.net", "+33 1 99 00 42 17",
           "27 rue des Tisserands", "", "Lyon", "", "69004",
           "18/08/1992", "agathe_rmb", "arimbault", "Atelier Soierie Rimbault",
           "", "21XV48816", "FR76 3000 6000 0112 3456 7890 189"),
    Person("Desmond", "Achterberg", "desmond.achterberg@example.org", "(919) 555-0165",
           "1433 Longleaf Commons", "Apt 7A", "Piney Crossing", "NC", "27598",
           "May 23, 1973", "des_achter", "dachterberg", "Achterberg Family Dental",
           "917-49-5523", "H39904417", "5529 0078 1146"),
    Person("Yusra", "Qadir-Bellamy", "yusra.qb@example.com", "(313) 555-0112",
           "902 Rivertown Loft Street", "Loft 3", "Fordham Mills", "MI", "48277",
           "1988-02-11", "yusraqb", "yqadir", "Great Lakes Legal Aid",
           "918-85-7712", "G60052381", "8834 5519 2270"),
    Person("Florian", "Eskildsen", "florian.eskildsen@example.net", "+45 32 12 00 47",
           "Sølvgade 114, 3. th.", "", "København K", "", "1307",
           "3 March 1980", "floesk", "feskildsen", "Nordlys Shipping ApS",
           "", "208814572", "DK50 0040 0440 1162 43"),
)


def person(index: int) -> Person:
    return PEOPLE[index % len(PEOPLE)]
