/// The event catalogue: every event type finsync appends, spelled once, with its schema
/// versions. Extractors (Ingest) write `EventCatalog.x.latest`; projections declare and
/// match `EventCatalog.x.name`. A typo is a compile error rather than an event folded into
/// `default: break`. See docs/ARCHITECTURE.md, "Event catalogue", for each type's stream
/// (built and parsed by ``StreamName``) and payload.
///
/// Adding an event type: one `static let` below, and the same name in ``all``.
public enum EventCatalog {
    public static let connectionHealthObserved = EventKind("connection.health.observed")
    public static let gocardlessAccountObserved = EventKind("gocardless.account.observed")
    public static let gocardlessAccountDetailsObserved = EventKind("gocardless.account_details.observed")
    public static let gocardlessAgreementObserved = EventKind("gocardless.agreement.observed")
    public static let gocardlessBalancesObserved = EventKind("gocardless.balances.observed")
    public static let gocardlessInstitutionObserved = EventKind("gocardless.institution.observed")
    public static let gocardlessPendingObserved = EventKind("gocardless.pending.observed")
    public static let gocardlessRequisitionObserved = EventKind("gocardless.requisition.observed")
    public static let gocardlessTransactionBooked = EventKind("gocardless.transaction.booked")
    public static let trading212AccountObserved = EventKind("trading212.account.observed")
    public static let trading212DividendObserved = EventKind("trading212.dividend.observed")
    public static let trading212InstrumentObserved = EventKind("trading212.instrument.observed")
    public static let trading212OrderObserved = EventKind("trading212.order.observed")
    public static let trading212PositionsObserved = EventKind("trading212.positions.observed")
    public static let trading212TransactionObserved = EventKind("trading212.transaction.observed")
    public static let vanguardHoldingsObserved = EventKind("vanguard.holdings.observed")
    public static let vanguardSubaccountObserved = EventKind("vanguard.subaccount.observed")
    public static let vanguardTransactionImported = EventKind("vanguard.transaction.imported")
    public static let vanguardExportLinked = EventKind("vanguard.export.linked")
    // Enable Banking (issue 16): see docs/ARCHITECTURE.md, "Enable Banking".
    public static let enablebankingAspspObserved = EventKind("enablebanking.aspsp.observed")
    public static let enablebankingSessionObserved = EventKind("enablebanking.session.observed")
    public static let enablebankingAccountObserved = EventKind("enablebanking.account.observed")
    public static let enablebankingBalancesObserved = EventKind("enablebanking.balances.observed")
    public static let enablebankingTransactionBooked = EventKind("enablebanking.transaction.booked")
    public static let enablebankingPendingObserved = EventKind("enablebanking.pending.observed")

    // User events (annotations): written by `finsync tag|categorise|note|categories|rules` and the API.
    public static let annotationTagAdded = EventKind("annotation.tag.added")
    public static let annotationTagRemoved = EventKind("annotation.tag.removed")
    public static let annotationCategorySet = EventKind("annotation.category.set")
    public static let annotationCategoryCleared = EventKind("annotation.category.cleared")
    public static let annotationNoteSet = EventKind("annotation.note.set")
    public static let categoryDefined = EventKind("category.defined")
    public static let categoryRenamed = EventKind("category.renamed")
    public static let categoryMerged = EventKind("category.merged")
    public static let ruleDefined = EventKind("rule.defined")
    public static let ruleChanged = EventKind("rule.changed")
    public static let ruleRemoved = EventKind("rule.removed")
    public static let rulesReordered = EventKind("rules.reordered")

    /// Every entry (tests check that names are unique and that projections read only these).
    public static let all: [EventKind] = [
        connectionHealthObserved,
        gocardlessAccountObserved,
        gocardlessAccountDetailsObserved,
        gocardlessAgreementObserved,
        gocardlessBalancesObserved,
        gocardlessInstitutionObserved,
        gocardlessPendingObserved,
        gocardlessRequisitionObserved,
        gocardlessTransactionBooked,
        trading212AccountObserved,
        trading212DividendObserved,
        trading212InstrumentObserved,
        trading212OrderObserved,
        trading212PositionsObserved,
        trading212TransactionObserved,
        vanguardHoldingsObserved,
        vanguardSubaccountObserved,
        vanguardTransactionImported,
        vanguardExportLinked,
        enablebankingAspspObserved,
        enablebankingSessionObserved,
        enablebankingAccountObserved,
        enablebankingBalancesObserved,
        enablebankingTransactionBooked,
        enablebankingPendingObserved,
        annotationTagAdded,
        annotationTagRemoved,
        annotationCategorySet,
        annotationCategoryCleared,
        annotationNoteSet,
        categoryDefined,
        categoryRenamed,
        categoryMerged,
        ruleDefined,
        ruleChanged,
        ruleRemoved,
        rulesReordered,
    ]

    /// The entry named `name`, if any.
    public static func kind(named name: String) -> EventKind? { all.first { $0.name == name } }
}
