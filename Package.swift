// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "finsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "finsync", targets: ["finsync"]),
        .library(name: "EventLog", targets: ["EventLog"]),
        .library(name: "EventCatalog", targets: ["EventCatalog"]),
        .library(name: "Projections", targets: ["Projections"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Replay", targets: ["Replay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/drmohundro/SWXMLHash", from: "8.1.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian's packages, found through pkg-config.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // glibc's malloc tuning header (part of libc; nothing to link).
        .systemLibrary(name: "CMalloc"),

        // A thin, Sendable Swift layer over libpq.
        .target(name: "Postgres", dependencies: ["CLibPQ", .product(name: "Crypto", package: "swift-crypto")]),
        // JSON values that keep number literals exactly, and their canonical form.
        .target(name: "CanonicalJSON"),
        // Time as finsync is given it: Swift's Clock plus the wall-clock date (system and manual).
        .target(name: "Clocks"),
        // Every event type (name and schema versions) and stream name, spelled once.
        .target(name: "EventCatalog"),
        // The append-only, LZ4-compressed event log.
        .target(name: "EventLog", dependencies: [
            "EventCatalog", "Postgres", "CLZ4", "CanonicalJSON",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Folding events into raw, unified and analytics tables.
        .target(name: "Projections", dependencies: [
            "EventCatalog", "EventLog", "Postgres", "CanonicalJSON",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "OrderedCollections", package: "swift-collections"),
        ]),
        // Provider clients, extractors and ingestion runs.
        .target(name: "Ingest", dependencies: [
            "EventCatalog", "EventLog", "Postgres", "CanonicalJSON", "Projections", "Clocks",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "SWXMLHash", package: "SWXMLHash"),
        ]),
        // Zero-downtime rebuilds and point-in-time replay.
        .target(name: "Replay", dependencies: ["EventLog", "Postgres", "Projections", "CanonicalJSON"]),
        // Realistic synthetic provider payloads, for benchmarks, fakes and tests.
        .target(name: "ProviderSamples", dependencies: ["CanonicalJSON", "EventCatalog"]),
        // Faithful local fake provider servers (loopback only): tests and the sandbox demo.
        .target(name: "ProviderFakes", dependencies: [
            "ProviderSamples", "CanonicalJSON", "Clocks",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Webhook notifications after a sync run ([notify]).
        .target(name: "Notify", dependencies: [
            "Ingest", "EventLog", "Postgres", "CanonicalJSON", "Clocks",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The HTTP API (`finsync serve`): types and routing generated from Sources/Serve/openapi.yaml.
        .target(name: "Serve", dependencies: [
            "Postgres", "EventLog", "Projections", "Ingest", "Replay", "CanonicalJSON", "Annotations",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]),
        // User events (annotations): validation and the writer of tags, categories, notes and rules.
        .target(name: "Annotations", dependencies: ["Postgres", "EventLog", "Projections", "CanonicalJSON", "Clocks"]),
        // Test support: provisions isolated databases on the ops/ cluster.
        .target(name: "FinsyncTestSupport", dependencies: ["Postgres", "EventLog", "Projections", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "finsync", dependencies: [
            "EventLog", "Projections", "Ingest", "Replay", "Postgres", "ProviderSamples", "ProviderFakes", "CanonicalJSON", "CMalloc", "Notify", "Clocks",
            "Serve", "Annotations",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "FinsyncTestSupport"]),
        .testTarget(name: "CanonicalJSONTests", dependencies: ["CanonicalJSON"]),
        .testTarget(name: "EventCatalogTests", dependencies: ["EventCatalog", "Projections"]),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "Postgres", "FinsyncTestSupport", "ProviderSamples", "CanonicalJSON"]),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "EventLog", "Postgres", "FinsyncTestSupport", "ProviderSamples", "CanonicalJSON"]),
        .testTarget(name: "IngestTests", dependencies: [
            "Ingest", "ProviderFakes", "EventLog", "Projections", "Postgres", "FinsyncTestSupport", "CanonicalJSON", "Clocks", "Annotations",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "NotifyTests", dependencies: ["Notify", "Ingest", "ProviderFakes", "EventLog", "Postgres", "FinsyncTestSupport", "CanonicalJSON", "Clocks"]),
        // Runs the built `finsync` executable against real test databases.
        .testTarget(name: "FinsyncCLITests", dependencies: ["FinsyncTestSupport", "Postgres", "EventLog", "CanonicalJSON", "ProviderFakes",
                                                          .product(name: "_CryptoExtras", package: "swift-crypto")]),
        .testTarget(name: "ServeTests", dependencies: [
            "Serve", "Annotations", "FinsyncTestSupport", "Postgres", "EventLog", "CanonicalJSON",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "AnnotationsTests", dependencies: ["Annotations", "Replay", "Projections", "EventLog", "Postgres", "FinsyncTestSupport", "ProviderSamples", "CanonicalJSON"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Projections", "EventLog", "Postgres", "FinsyncTestSupport", "ProviderSamples", "CanonicalJSON"]),
    ]
)
