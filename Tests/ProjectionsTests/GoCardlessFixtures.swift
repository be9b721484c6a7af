import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections

/// GoCardless observations shaped like the sandbox's (shared/providers/gocardless.md §10, §12).
enum GC {
    static let institution = "SANDBOXFINANCE_SFIN0000"
    static let requisition = "780bcb92-c6cb-4cd8-9974-e0374177f7cd"
    static let agreement = "bdaade38-3b03-4857-9ed9-4a33ce20da45"
    static let account = "68d5b037-0706-41b7-ad63-5e62df8684d9"
    static let account2 = "9daf5886-2d46-464b-9f2b-65accac9295e"

    static func institutionEvent() -> (String, NewEvent) {
        (StreamName.gocardlessInstitution(institution), NewEvent(type: EventCatalog.gocardlessInstitutionObserved.latest, json: [
            "id": .string(institution), "name": "Sandbox Finance", "bic": "SFIN0000", "transaction_total_days": "90",
            "max_access_valid_for_days": "180", "countries": ["XX"], "logo": "https://cdn-logos.gocardless.com/ais/SANDBOXFINANCE_SFIN0000.png",
        ]))
    }

    static func agreementEvent() -> (String, NewEvent) {
        (StreamName.gocardlessAgreement(agreement), NewEvent(type: EventCatalog.gocardlessAgreementObserved.latest, json: [
            "id": .string(agreement), "created": "2024-12-27T21:34:20.658531Z", "institution_id": .string(institution), "max_historical_days": 90,
            "access_valid_for_days": 90, "access_scope": ["balances", "details", "transactions"], "accepted": "2024-12-27T21:36:02.112233Z",
        ]))
    }

    static func requisitionEvent(status: String = "LN", accounts: [String] = [account, account2]) -> (String, NewEvent) {
        (StreamName.gocardlessRequisition(requisition), NewEvent(type: EventCatalog.gocardlessRequisitionObserved.latest, json: [
            "id": .string(requisition), "created": "2024-12-27T21:34:20.658531Z", "redirect": "http://localhost:3000", "status": .string(status),
            "institution_id": .string(institution), "agreement": .string(agreement), "reference": "be233689-b8b9-4c24-8b1f-9c4a7d522ea3",
            "accounts": .array(accounts.map { .string($0) }), "user_language": "EN",
            "link": "https://ob.gocardless.com/ob-psd2/start/15321acf-7c3f-49d2-b19c-b8f749d91d7d/SANDBOXFINANCE_SFIN0000",
            "ssn": nil, "account_selection": false, "redirect_immediate": false,
        ]))
    }

    static func metadataEvent(_ id: String = account, iban: String = "GL3510230000010234", owner: String = "John Doe") -> (String, NewEvent) {
        (StreamName.gocardlessAccount(id), NewEvent(type: EventCatalog.gocardlessAccountObserved.latest, json: [
            "id": .string(id), "created": "2024-01-07T17:20:30.855119Z", "last_accessed": "2024-12-27T21:38:15.277931Z", "iban": .string(iban),
            "bban": nil, "institution_id": .string(institution), "status": "READY", "owner_name": .string(owner),
        ]))
    }

    static func detailsEvent(_ id: String = account) -> (String, NewEvent) {
        (StreamName.gocardlessAccount(id, .details), NewEvent(type: EventCatalog.gocardlessAccountDetailsObserved.latest, json: [
            "account_id": .string(id),
            "details": ["resourceId": "01F3NS4YV94RA29YCH8R0F6BMF", "currency": "EUR", "ownerName": "John Doe", "name": "Main Account", "product": "Checkings", "cashAccountType": "CACC"],
        ]))
    }

    static func balance(_ amount: String, _ type: String, _ date: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["balanceAmount": ["amount": .string(amount), "currency": "EUR"], "balanceType": .string(type)]
        if let date { o["referenceDate"] = .string(date) }
        return .object(o)
    }

    static func balancesEvent(_ balances: [JSONValue], account id: String = account) -> (String, NewEvent) {
        (StreamName.gocardlessAccount(id, .balances), NewEvent(type: EventCatalog.gocardlessBalancesObserved.latest, json: ["account_id": .string(id), "balances": .array(balances)]))
    }

    static func booked(_ item: JSONValue, account id: String = account, occurrence: Int = 0) -> (String, NewEvent) {
        (StreamName.gocardlessAccount(id, .transactions), NewEvent(type: EventCatalog.gocardlessTransactionBooked.latest, json: ["account_id": .string(id), "transaction": item, "occurrence": .number(String(occurrence))]))
    }

    static func pendingEvent(_ items: [JSONValue], account id: String = account, on date: String = "2024-12-29") -> (String, NewEvent) {
        (StreamName.gocardlessAccount(id, .pending), NewEvent(type: EventCatalog.gocardlessPendingObserved.latest, json: [
            "account_id": .string(id), "date_from": "2024-12-01", "date_to": .string(date), "pending": .array(items),
        ]))
    }

    static func item(_ amount: String, date: String, id: String? = nil, creditor: String? = nil, debtor: String? = nil, text: String? = nil, valueOnly: Bool = false) -> JSONValue {
        var o: [String: JSONValue] = ["transactionAmount": ["amount": .string(amount), "currency": "EUR"], "valueDate": .string(date)]
        if !valueOnly { o["bookingDate"] = .string(date) }
        if let id { o["transactionId"] = .string(id); o["bankTransactionCode"] = "PMNT" }
        if let creditor { o["creditorName"] = .string(creditor) }
        if let debtor { o["debtorName"] = .string(debtor) }
        if let text { o["remittanceInformationUnstructured"] = .string(text) }
        return .object(o)
    }

    /// The sandbox's booked transactions (one pair without an id).
    static let sandboxBooked: [JSONValue] = [
        item("45.00", date: "2024-12-28", id: "2024122801773517-1", debtor: "MON MOTHMA", text: "For the support of Restoration of the Republic foundation"),
        item("-15.00", date: "2024-12-28", text: "PAYMENT Alderaan Coffe"),
        item("-35.56", date: "2024-12-27", id: "2024122701773511-1", creditor: "Liam Brown", text: "Water invoice #5678"),
        item("-95.35", date: "2024-12-27", id: "2024122701773509-1", creditor: "Freshto Ideal"),
        item("15.00", date: "2024-12-26", id: "2024122601773503-1", debtor: "Jennifer Houston"),
    ]
}

/// Appends fixture events and folds them with the live targets.
struct ProjectionHarness {
    let db: TestDatabase
    let connection: PostgresConnection
    let log: EventLog

    static func make(_ db: TestDatabase) async throws -> ProjectionHarness {
        let c = try await db.connect()
        return ProjectionHarness(db: db, connection: c, log: EventLog(connection: c))
    }

    @discardableResult
    func append(_ events: [(String, NewEvent)]) async throws -> [Int64] {
        var positions: [Int64] = []
        for (stream, e) in events {
            let r = try await log.append([e], to: stream)
            positions += r.appended.map(\.position)
        }
        return positions
    }

    @discardableResult
    func fold(batchSize: Int = 5000, targets: [ProjectionTarget] = ProjectionCatalog.liveTargets, workers: Int = 0) async throws -> [CatchUpResult] {
        let extra = try await db.connect(count: workers)
        defer { extra.forEach { $0.close() } }
        return try await ProjectionRunner(connection: connection, dictionaries: log.dictionaries, workers: extra).catchUp(targets, batchSize: batchSize)
    }

    /// Rows of a query as strings, for exact comparisons.
    func rows(_ sql: String) async throws -> [[String?]] {
        try await connection.withSession { s in
            let r = try s.query(sql)
            return r.rows.map { row in (0..<r.columnCount).map { row.string($0) } }
        }
    }
}
