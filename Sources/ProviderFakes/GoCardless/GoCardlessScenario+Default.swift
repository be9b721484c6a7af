import CanonicalJSON
import Foundation

extension GoCardlessScenario {
    /// Fixed ids of the default scenario, for tests and demos.
    public enum DefaultIDs {
        /// Sandbox Finance, linked, two EUR accounts (John Doe, Jane Doe).
        public static let sandboxRequisition = "780bcb92-c6cb-4cd8-9974-e0374177f7cd"
        public static let sandboxAgreement = "bdaade38-3b03-4857-9ed9-4a33ce20da45"
        public static let johnAccount = "68d5b037-0706-41b7-ad63-5e62df8684d9"
        public static let janeAccount = "9daf5886-2d46-464b-9f2b-65accac9295e"
        /// Monzo, linked, one GBP account; consent expires 5 days after the scenario starts.
        public static let monzoRequisition = "3f1c2a9e-5b7d-4e8a-9c61-2d0e4b7a8f15"
        public static let monzoAgreement = "0b5e2f47-92c1-4d6a-b8e3-7f14a2c9d061"
        public static let monzoAccount = "c0a8012e-7f4b-4d2a-8e3c-5a9b1d6e2f70"
        /// Nationwide, requisition expired (EX).
        public static let nationwideRequisition = "a7e4d2c1-6b3f-4e5a-9d8c-1f2e3a4b5c6d"
        public static let nationwideAgreement = "5d1f8e2a-3c4b-4a69-8e7d-2b1c0f9e8a7d"
        public static let nationwideAccount = "e3b0c442-98fc-4c14-9afb-f4c8996fb924"
        /// Starling, created but never linked (CR).
        public static let starlingRequisition = "1c9e6f3a-8d2b-4f7e-a5c4-3b6d9e0f1a2b"
        /// Revolut, rejected (RJ).
        public static let revolutRequisition = "6f2d4b8e-1a3c-4e5f-9b7d-0c8e2a4f6b1d"
    }

    /// A realistic scenario: the GoCardless sandbox bank (its documented transactions,
    /// two identical coffees on one day, items without `transactionId`, a pending burger
    /// that books later under a new id), a Monzo account whose consent expires within a
    /// week, an expired Nationwide requisition, an unfinished Starling one and a rejected
    /// Revolut one; 60 days of history before `start`.
    public static func standard(secretID: String = "sandbox-secret-id", secretKey: String = "sandbox-secret-key", accountQuota: Int = 4, maxPageSize: Int = 2, start: Date = Date()) -> GoCardlessScenario {
        let s = GoCardlessScenario(secretID: secretID, secretKey: secretKey, accountQuota: accountQuota, maxPageSize: maxPageSize, start: start)
        let day0 = FakeDates.dayNumber(start)
        // Resource timestamps hang off the start day's midnight (UTC), so every scenario
        // started on the same day serves identical resources (a re-run appends nothing).
        let midnight = FakeDates.parse(FakeDates.day(start))
        func iso(daysAgo: Double) -> JSONValue { .string(FakeDates.iso(midnight.addingTimeInterval(-daysAgo * 86_400 + 0.658531))) }
        @Sendable func amount(_ a: String, _ c: String) -> JSONValue { ["amount": .string(a), "currency": .string(c)] }
        @Sendable func compact(_ d: String) -> String { d.replacingOccurrences(of: "-", with: "") }
        @Sendable func hex(_ seed: String) -> String {
            var h: UInt64 = 1_469_598_103_934_665_603
            for b in seed.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
            var h2 = h ^ 0x9E37_79B9_7F4A_7C15
            h2 = (h2 ^ (h2 >> 31)) &* 0xBF58_476D_1CE4_E5B9
            return String(format: "%016llx%016llx", h, h2)
        }

        // Institutions (§3): the sandbox is fetched by id only, never listed by country.
        for (id, name, bic, days, access, countries) in [
            ("SANDBOXFINANCE_SFIN0000", "Sandbox Finance", "SFIN0000", "90", "180", ["XX"]),
            ("MONZO_MONZGB2L", "Monzo", "MONZGB2L", "540", "180", ["GB"]),
            ("NATIONWIDE_NAIAGB21", "Nationwide", "NAIAGB21", "730", "90", ["GB"]),
            ("STARLING_SRLGGB3L", "Starling", "SRLGGB3L", "730", "90", ["GB"]),
            ("REVOLUT_REVOGB21", "Revolut", "REVOGB21", "730", "180", ["GB", "IE", "LT"]),
            ("N26_NTSBDEB1", "N26 Bank", "NTSBDEB1", "730", "180", ["DE", "AT", "FR"]),
        ] {
            s.addInstitution(["id": .string(id), "name": .string(name), "bic": .string(bic), "transaction_total_days": .string(days),
                              "max_access_valid_for_days": .string(access), "countries": .array(countries.map { .string($0) }),
                              "logo": .string("https://cdn-logos.gocardless.com/ais/\(id).png"),
                              "supported_payments": [:], "supported_features": ["account_selection", "pending_transactions", "private_accounts"],
                              "identification_codes": []])
        }

        // Agreements and requisitions (§4, §5).
        func agreement(_ id: String, _ inst: String, acceptedDaysAgo: Double, valid: Int, history: Int) {
            s.addAgreement(["id": .string(id), "created": iso(daysAgo: acceptedDaysAgo + 0.01), "institution_id": .string(inst), "max_historical_days": .number(String(history)),
                            "access_valid_for_days": .number(String(valid)), "access_scope": ["balances", "details", "transactions"], "accepted": iso(daysAgo: acceptedDaysAgo)])
        }
        agreement(DefaultIDs.sandboxAgreement, "SANDBOXFINANCE_SFIN0000", acceptedDaysAgo: 12, valid: 90, history: 90)
        agreement(DefaultIDs.monzoAgreement, "MONZO_MONZGB2L", acceptedDaysAgo: 85, valid: 90, history: 90)
        agreement(DefaultIDs.nationwideAgreement, "NATIONWIDE_NAIAGB21", acceptedDaysAgo: 200, valid: 90, history: 90)
        func requisition(_ id: String, _ inst: String, _ agreement: String?, _ status: String, _ accounts: [String], createdDaysAgo: Double) {
            s.addRequisition(["id": .string(id), "created": iso(daysAgo: createdDaysAgo), "redirect": "http://localhost:3000/linked", "status": .string(status),
                              "institution_id": .string(inst), "agreement": agreement.map { .string($0) } ?? .string(GoCardlessScenario.uuid(hex("agreement\(id)"))),
                              "reference": .string("finsync-\(inst.lowercased().prefix(8))-\(id.prefix(8))"), "accounts": .array(accounts.map { .string($0) }),
                              "user_language": "EN", "link": .string("https://ob.gocardless.com/ob-psd2/start/\(hex(id).prefix(8))-7c3f-49d2-b19c-b8f749d91d7d/\(inst)"),
                              "ssn": .null, "account_selection": false, "redirect_immediate": false])
        }
        requisition(DefaultIDs.sandboxRequisition, "SANDBOXFINANCE_SFIN0000", DefaultIDs.sandboxAgreement, "LN", [DefaultIDs.johnAccount, DefaultIDs.janeAccount], createdDaysAgo: 12)
        requisition(DefaultIDs.monzoRequisition, "MONZO_MONZGB2L", DefaultIDs.monzoAgreement, "LN", [DefaultIDs.monzoAccount], createdDaysAgo: 85)
        requisition(DefaultIDs.nationwideRequisition, "NATIONWIDE_NAIAGB21", DefaultIDs.nationwideAgreement, "EX", [DefaultIDs.nationwideAccount], createdDaysAgo: 200)
        requisition(DefaultIDs.starlingRequisition, "STARLING_SRLGGB3L", nil, "CR", [], createdDaysAgo: 1)
        requisition(DefaultIDs.revolutRequisition, "REVOLUT_REVOGB21", nil, "RJ", [], createdDaysAgo: 3)

        // Sandbox transactions (§10, §12).
        @Sendable func johnDay(_ n: Int, _ serial: Int) -> [JSONValue] {
            let d = FakeDates.day(n), i = n - day0
            var out: [JSONValue] = []
            if i % 7 == 0 {
                out.append(["transactionId": .string("\(compact(d))01953104-1"), "bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("45.00", "EUR"),
                            "debtorName": "MON MOTHMA", "debtorAccount": ["iban": "GL0844920000044924"],
                            "remittanceInformationUnstructured": "For the support of Restoration of the Republic foundation", "bankTransactionCode": "PMNT",
                            "internalTransactionId": .string(hex("mothma\(d)"))])
            }
            if i % 5 == 0 {
                out.append(["transactionId": .string("\(compact(d))01773517-1"), "entryReference": .string("\(compact(d))17735"), "bookingDate": .string(d), "valueDate": .string(d),
                            "transactionAmount": amount("-35.56", "EUR"), "creditorName": "Liam Brown", "creditorAccount": ["iban": "GL2981370000081378"],
                            "remittanceInformationUnstructured": "Water invoice #5678", "proprietaryBankTransactionCode": "TRANSFER", "bankTransactionCode": "PMNT",
                            "internalTransactionId": .string(hex("water\(d)"))])
            }
            if i % 3 == 0 {
                // This bank leaves card purchases without any id.
                out.append(["bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("-95.35", "EUR"), "creditorName": "Freshto Ideal",
                            "remittanceInformationUnstructured": "PURCHASE Freshto Ideal", "proprietaryBankTransactionCode": "PURCHASE"])
            }
            if (i % 4 + 4) % 4 == 1 {
                out.append(["transactionId": .string("\(compact(d))00948211-1"), "bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("15.00", "EUR"),
                            "debtorName": "Jennifer Houston", "bankTransactionCode": "PMNT", "internalTransactionId": .string(hex("houston\(d)"))])
            }
            if i == -10 {
                // Two identical coffees on one day: both real, both must be kept.
                let coffee: JSONValue = ["bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("-15.00", "EUR"),
                                         "remittanceInformationUnstructured": "PAYMENT Alderaan Coffe", "bankTransactionCode": "PMNT"]
                out.append(contentsOf: [coffee, coffee])
            }
            if i > 0 {
                out.append(["transactionId": .string("\(compact(d))0\(serial)2201-1"), "bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("-3.2", "EUR"),
                            "remittanceInformationUnstructured": "PAYMENT Alderaan Coffe", "bankTransactionCode": "PMNT", "internalTransactionId": .string(hex("coffee\(d)"))])
            }
            return out
        }
        @Sendable func burger(_ n: Int) -> Pending {
            let d = FakeDates.day(n)
            let item: JSONValue = ["valueDate": .string(d), "transactionAmount": amount("-10.00", "EUR"), "remittanceInformationUnstructured": "Reserved PAYMENT Emperor's Burgers"]
            let booked: JSONValue = ["transactionId": .string("\(compact(d))EMP0001-1"), "bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("-10.00", "EUR"),
                                     "remittanceInformationUnstructured": "PAYMENT Emperor's Burgers", "bankTransactionCode": "PMNT", "internalTransactionId": .string(hex("burger\(d)"))]
            return Pending(item: item, booksAfterDays: 2, booked: booked)
        }
        var john = (day0 - 59...day0).flatMap { johnDay($0, 0) }
        john.sort { ($0["bookingDate"]?.string ?? "") > ($1["bookingDate"]?.string ?? "") }
        var johnPending = burger(day0)
        johnPending.firstDay = day0
        s.addAccount(Account(
            id: DefaultIDs.johnAccount, requisitionID: DefaultIDs.sandboxRequisition, institutionID: "SANDBOXFINANCE_SFIN0000",
            metadata: ["id": .string(DefaultIDs.johnAccount), "created": iso(daysAgo: 12), "last_accessed": .null, "iban": "GL3510230000010234", "bban": .null,
                       "institution_id": "SANDBOXFINANCE_SFIN0000", "status": "READY", "owner_name": "John Doe"],
            details: ["resourceId": "01F3NS4YV94RA29YCH8R0F6BMF", "iban": "GL3510230000010234", "currency": "EUR", "ownerName": "John Doe", "name": "Main Account",
                      "product": "Checkings", "cashAccountType": "CACC"],
            balances: [["balanceAmount": amount("1913.12", "EUR"), "balanceType": "expected", "referenceDate": .string(FakeDates.day(day0))],
                       ["balanceAmount": amount("1913.12", "EUR"), "balanceType": "interimAvailable", "referenceDate": .string(FakeDates.day(day0))]],
            booked: john, pending: [johnPending],
            daily: { day, serial in
                let n = FakeDates.dayNumber(FakeDates.parse(day))
                return (johnDay(n, serial), [burger(n)])
            }))

        // Jane: salary, rent, a card payment in USD with an object-form currencyExchange.
        @Sendable func janeDay(_ n: Int) -> [JSONValue] {
            let d = FakeDates.day(n), i = n - day0
            var out: [JSONValue] = []
            if (i % 14 + 14) % 14 == 0 {
                out.append(["transactionId": .string("\(compact(d))SAL-0001"), "bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("2500.00", "EUR"),
                            "debtorName": "Galactic Senate Payroll", "remittanceInformationUnstructured": "Salary", "bankTransactionCode": "PMNT-RCDT-ESCT",
                            "internalTransactionId": .string(hex("salary\(d)"))])
            }
            if (i % 30 + 30) % 30 == 3 {
                out.append(["transactionId": .string("\(compact(d))RENT-001"), "bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("-1200", "EUR"),
                            "creditorName": "Coruscant Housing", "creditorAccount": ["iban": "GL6837980000037983"], "remittanceInformationUnstructured": "Rent",
                            "bankTransactionCode": "PMNT-ICDT-STDO", "internalTransactionId": .string(hex("rent\(d)"))])
            }
            if (i % 9 + 9) % 9 == 4 {
                out.append(["transactionId": .string("AB\(compact(d))89"), "entryReference": "123456789", "bookingDate": .string(d), "bookingDateTime": .string("\(d)T00:00:00+00:00"),
                            "transactionAmount": amount("-33.06", "EUR"), "creditorName": "Mos Eisley Cantina",
                            "currencyExchange": ["sourceCurrency": "USD", "exchangeRate": "1.20961887", "unitCurrency": "USD", "targetCurrency": "EUR", "instructedAmount": amount("-39.99", "USD")],
                            "proprietaryBankTransactionCode": "OTHER_PURCHASE", "merchantCategoryCode": "5813", "internalTransactionId": .string(hex("cantina\(d)"))])
            }
            return out
        }
        s.addAccount(Account(
            id: DefaultIDs.janeAccount, requisitionID: DefaultIDs.sandboxRequisition, institutionID: "SANDBOXFINANCE_SFIN0000",
            metadata: ["id": .string(DefaultIDs.janeAccount), "created": iso(daysAgo: 12), "last_accessed": iso(daysAgo: 1), "iban": "GL2981370000081378", "bban": .null,
                       "institution_id": "SANDBOXFINANCE_SFIN0000", "status": "READY", "owner_name": ""],
            details: ["resourceId": "01F3NS5ASCNMVCTEJDT0G215YE", "iban": "GL2981370000081378", "currency": "EUR", "ownerName": "Jane Doe", "name": "Main Account",
                      "product": "Checkings", "cashAccountType": "CACC"],
            balances: [["balanceAmount": amount("4102.5", "EUR"), "balanceType": "closingBooked", "referenceDate": .string(FakeDates.day(day0 - 1))],
                       ["balanceAmount": amount("4102.50", "EUR"), "balanceType": "forwardAvailable"]],
            booked: (day0 - 59...day0).flatMap(janeDay), pending: [],
            daily: { day, _ in (janeDay(FakeDates.dayNumber(FakeDates.parse(day))), []) }))

        // Monzo: card payments; a pending Pret whose id changes when it books.
        @Sendable func monzoDay(_ n: Int) -> [JSONValue] {
            let d = FakeDates.day(n), i = n - day0
            var out: [JSONValue] = []
            if (i % 2 + 2) % 2 == 0 {
                out.append(["transactionId": .string("tx_0000\(hex("tfl\(d)").prefix(18))"), "bookingDate": .string(d), "bookingDateTime": .string("\(d)T08:12:44.950Z"),
                            "valueDate": .string(d), "transactionAmount": amount("-2.80", "GBP"), "creditorName": "TfL Travel Charge",
                            "remittanceInformationUnstructured": "TFL TRAVEL CH TFL.GOV.UK/CP", "proprietaryBankTransactionCode": "card_payment", "merchantCategoryCode": "4111"])
            }
            if (i % 6 + 6) % 6 == 5 {
                out.append(["transactionId": .string("tx_0000\(hex("tesco\(d)").prefix(18))"), "bookingDate": .string(d), "valueDate": .string(d), "transactionAmount": amount("-23.47", "GBP"),
                            "creditorName": "Tesco Stores", "remittanceInformationUnstructured": "TESCO STORES 3297 LONDON", "proprietaryBankTransactionCode": "card_payment",
                            "balanceAfterTransaction": ["balanceAmount": amount("812.33", "GBP"), "balanceType": "interimBooked"]])
            }
            return out
        }
        @Sendable func pret(_ n: Int) -> Pending {
            let d = FakeDates.day(n)
            return Pending(item: ["transactionId": .string("tx_0000pend\(hex("pret\(d)").prefix(14))"), "valueDate": .string(d), "transactionAmount": amount("-4.95", "GBP"),
                                  "creditorName": "Pret A Manger", "remittanceInformationUnstructured": "PRET A MANGER LONDON"],
                           booksAfterDays: 1,
                           booked: ["transactionId": .string("tx_0000\(hex("pretbooked\(d)").prefix(18))"), "bookingDate": .string(d), "valueDate": .string(d),
                                    "transactionAmount": amount("-4.95", "GBP"), "creditorName": "Pret A Manger", "remittanceInformationUnstructured": "PRET A MANGER LONDON",
                                    "proprietaryBankTransactionCode": "card_payment"])
        }
        var monzoPending = pret(day0)
        monzoPending.firstDay = day0
        s.addAccount(Account(
            id: DefaultIDs.monzoAccount, requisitionID: DefaultIDs.monzoRequisition, institutionID: "MONZO_MONZGB2L",
            metadata: ["id": .string(DefaultIDs.monzoAccount), "created": iso(daysAgo: 85), "last_accessed": iso(daysAgo: 1), "iban": "GB33MONZ04000412345678", "bban": .null,
                       "institution_id": "MONZO_MONZGB2L", "status": "READY", "owner_name": "Leia Organa"],
            details: ["resourceId": "acc_00009NZrEkA8ubXfEGLQOh", "iban": "GB33MONZ04000412345678", "currency": "GBP", "ownerName": "Leia Organa",
                      "displayName": "Personal Account", "product": "Personal Account", "cashAccountType": "CACC", "usage": "PRIV",
                      "scan": ["sortCode": "040004", "accountNumber": "12345678"]],
            balances: [["balanceAmount": amount("812.33", "GBP"), "balanceType": "interimAvailable", "creditLimitIncluded": false],
                       ["balanceAmount": amount("807.38", "GBP"), "balanceType": "expected", "lastChangeDateTime": iso(daysAgo: 0.2)]],
            booked: (day0 - 59...day0).flatMap(monzoDay), pending: [monzoPending],
            daily: { day, _ in
                let n = FakeDates.dayNumber(FakeDates.parse(day))
                return (monzoDay(n), [pret(n)])
            }))
        s.addAccount(Account(
            id: DefaultIDs.nationwideAccount, requisitionID: DefaultIDs.nationwideRequisition, institutionID: "NATIONWIDE_NAIAGB21",
            metadata: ["id": .string(DefaultIDs.nationwideAccount), "created": iso(daysAgo: 200), "last_accessed": iso(daysAgo: 111), "iban": "GB29NAIA07011612345678", "bban": .null,
                       "institution_id": "NATIONWIDE_NAIAGB21", "status": "EXPIRED", "owner_name": "Han Solo"],
            details: ["currency": "GBP", "ownerName": "Han Solo", "product": "FlexDirect"], balances: [], booked: [], pending: [],
            daily: { _, _ in ([], []) }))
        s.expireAgreementByID(DefaultIDs.nationwideAgreement)
        return s
    }

    static func uuid(_ hex32: String) -> String {
        let h = Array(hex32.prefix(32))
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-4" + String(h[13..<16]) + "-a" + String(h[17..<20]) + "-" + String(h[20..<32])
    }

    func expireAgreementByID(_ id: String) { state.withLock { _ = $0.expiredAgreements.insert(id) } }
}
