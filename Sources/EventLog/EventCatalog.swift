/// The event catalogue: every event type finsync appends, spelled once. Extractors (Ingest)
/// and projections import these names instead of writing them out, so a typo is a compile
/// error rather than an event folded into `default: break`. See docs/ARCHITECTURE.md,
/// "Event catalogue", for each type's stream and payload.
public enum EventCatalog {
    public static let connectionHealthObserved = "connection.health.observed"
    public static let gocardlessAccountObserved = "gocardless.account.observed"
    public static let gocardlessAccountDetailsObserved = "gocardless.account_details.observed"
    public static let gocardlessAgreementObserved = "gocardless.agreement.observed"
    public static let gocardlessBalancesObserved = "gocardless.balances.observed"
    public static let gocardlessInstitutionObserved = "gocardless.institution.observed"
    public static let gocardlessPendingObserved = "gocardless.pending.observed"
    public static let gocardlessRequisitionObserved = "gocardless.requisition.observed"
    public static let gocardlessTransactionBooked = "gocardless.transaction.booked"
    public static let trading212AccountObserved = "trading212.account.observed"
    public static let trading212DividendObserved = "trading212.dividend.observed"
    public static let trading212InstrumentObserved = "trading212.instrument.observed"
    public static let trading212OrderObserved = "trading212.order.observed"
    public static let trading212PositionsObserved = "trading212.positions.observed"
    public static let trading212TransactionObserved = "trading212.transaction.observed"
    public static let vanguardHoldingsObserved = "vanguard.holdings.observed"
    public static let vanguardSubaccountObserved = "vanguard.subaccount.observed"
    public static let vanguardTransactionImported = "vanguard.transaction.imported"
    public static let vanguardExportLinked = "vanguard.export.linked"
}
