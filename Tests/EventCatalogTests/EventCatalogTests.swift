import EventCatalog
import Projections
import Testing

@Suite struct EventCatalogTests {
    @Test func namesAreUniqueAndVersionsStartAtTheFirst() {
        let names = EventCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(EventCatalog.all.allSatisfy { $0.versions.lowerBound == EventKind.firstVersion })
        #expect(EventCatalog.gocardlessTransactionBooked.latest == EventType("gocardless.transaction.booked", version: 1))
        #expect(EventCatalog.kind(named: "gocardless.transaction.booked") == EventCatalog.gocardlessTransactionBooked)
    }

    /// A projection that names a type the catalogue lacks (a typo, a removed type) or a
    /// version that does not exist fails here rather than silently reading nothing.
    @Test func projectionsReadOnlyCataloguedTypesAndVersions() throws {
        for p in ProjectionCatalog.all {
            for type in p.eventTypes {
                let kind = try #require(EventCatalog.kind(named: type), "\(p.name) reads \(type), which is not in the catalogue")
                let read = p.versions(of: type)
                #expect(kind.versions.contains(read.lowerBound) && kind.versions.contains(read.upperBound), "\(p.name) reads \(type) v\(read)")
            }
            #expect(Set(p.schemaVersions.keys).isSubset(of: p.eventTypes), "\(p.name) declares versions of types it does not read")
        }
    }
}

/// The one place stream ids are spelled out: these are the formats stored in every log.
@Suite struct StreamNameTests {
    @Test func buildsTheDocumentedStreams() {
        #expect(StreamName.gocardlessInstitution("I") == "gocardless/institution/I")
        #expect(StreamName.gocardlessAgreement("A") == "gocardless/agreement/A")
        #expect(StreamName.gocardlessRequisition("R") == "gocardless/requisition/R")
        #expect(StreamName.gocardlessAccount("a") == "gocardless/account/a")
        #expect(StreamName.GoCardlessAccountPart.allCases.map { StreamName.gocardlessAccount("a", $0) }
                == ["gocardless/account/a/details", "gocardless/account/a/balances", "gocardless/account/a/transactions", "gocardless/account/a/pending"])
        #expect(StreamName.gocardlessConnectionHealth("R") == "gocardless/connection/R/health")
        #expect(StreamName.connectionHealth(provider: "trading212", "isa") == "trading212/connection/isa/health")
        #expect(StreamName.Trading212Part.allCases.map { StreamName.trading212("isa", $0) }
                == ["trading212/isa/account", "trading212/isa/positions", "trading212/isa/orders", "trading212/isa/dividends", "trading212/isa/transactions"])
        #expect(StreamName.trading212Instrument("BPl_EQ") == "trading212/instrument/BPl_EQ")
        #expect(StreamName.vanguardSubaccount("vg", "H1") == "vanguard/vg/subaccount/H1")
        #expect(StreamName.vanguardHoldings("vg", "H1") == "vanguard/vg/subaccount/H1/holdings")
        #expect(StreamName.vanguardExport("vg", account: "My ISA") == "vanguard/vg/export/My ISA")
        #expect(StreamName.annotationsTransaction("0190") == "annotations/transaction/0190")
        #expect(StreamName.annotationsCategories == "annotations/categories")
        #expect(StreamName.annotationsRules == "annotations/rules")
        #expect(StreamName.annotatedTransaction(of: "annotations/transaction/0190") == "0190")
        #expect(StreamName.annotatedTransaction(of: "annotations/rules") == nil)
    }

    @Test func parsesTheConnectionBack() {
        #expect(StreamName.connection(of: StreamName.trading212("isa", .orders)) == "isa")
        #expect(StreamName.connection(of: StreamName.trading212("isa")) == "isa")
        #expect(StreamName.connection(of: StreamName.vanguardExport("vg", account: "A/B")) == "vg")
        #expect(StreamName.connection(of: StreamName.vanguardHoldings("vg", "H1")) == "vg")
        #expect(StreamName.connection(of: "nothing") == "")
    }

    @Test func tellsWhetherAStreamIsUnderAnother() {
        let base = StreamName.gocardlessAccount("acc1")
        #expect(StreamName.stream(base, isWithin: base))
        #expect(StreamName.stream(StreamName.gocardlessAccount("acc1", .balances), isWithin: base))
        #expect(!StreamName.stream(StreamName.gocardlessAccount("acc10", .balances), isWithin: base))
        #expect(!StreamName.stream("gocardless/account/acc", isWithin: base))
    }
}
