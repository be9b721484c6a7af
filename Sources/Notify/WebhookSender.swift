import Clocks
import Foundation
import Ingest

/// Posts notices to one webhook, asking again by ``WebhookRetry``.
///
/// Requests go through ``ProviderHTTPTransport`` (an overall deadline, a fast connect
/// timeout, no redirects). Failures are described by the webhook's key and host, never by
/// its URL: a URL can carry a token.
public struct WebhookSender: Sendable {
    /// The outcome of posting one notice to one webhook.
    public struct Delivery: Sendable, Hashable {
        /// `notify.webhooks[i]`.
        public var webhook: String
        public var kind: Notice.Kind
        /// The webhook answered 2xx.
        public var accepted: Bool
        public var attempts: Int
        /// Why it was not accepted (names the webhook's key and host, never its URL).
        public var error: String?
    }

    public let webhook: NotifyConfiguration.Webhook
    /// How it is named in logs and errors: `notify.webhooks[i]`.
    public let key: String
    let transport: ProviderHTTPTransport
    let retry: WebhookRetry
    let clock: any FinsyncClock

    public init(webhook: NotifyConfiguration.Webhook, key: String, transport: ProviderHTTPTransport, retry: WebhookRetry, clock: any FinsyncClock) {
        self.webhook = webhook
        self.key = key
        self.transport = transport
        self.retry = retry
        self.clock = clock
    }

    /// The request for `notice` in the webhook's format: headers and body.
    public func request(for notice: Notice) -> (headers: [(name: String, value: String)], body: [UInt8]) {
        switch webhook.format {
        case .json:
            return ([("content-type", "application/json"), ("user-agent", "finsync")], notice.json.canonicalBytes)
        case .text:
            // Header values must be plain ASCII: anything else in the title is left to the body.
            let title = String(notice.title.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 }.map(Character.init))
            return ([("content-type", "text/plain; charset=utf-8"), ("title", title), ("user-agent", "finsync")], Array(notice.text.utf8))
        }
    }

    /// Posts `notice`, retrying what may pass; never throws (except when cancelled).
    public func send(_ notice: Notice) async throws -> Delivery {
        let (headers, body) = request(for: notice)
        let endpoint = "POST \(key)"
        var attempt = 0
        var lastError = ""
        while attempt < retry.maxAttempts {
            if attempt > 0 { try await clock.sleep(for: retry.delay(beforeRetry: attempt)) }
            attempt += 1
            do {
                let r = try await transport.send("POST", url: webhook.url, headers: headers, body: body, endpoint: endpoint)
                if (200..<300).contains(r.status) { return Delivery(webhook: key, kind: notice.kind, accepted: true, attempts: attempt) }
                lastError = "\(key) on \(ProviderHTTPTransport.hostPort(of: webhook.url)) answered HTTP \(r.status)"
                if !WebhookRetry.isTransient(status: r.status) { break }
            } catch let e as ProviderHTTPError {
                lastError = e.message
                if !e.isTransient { break }
            }
        }
        return Delivery(webhook: key, kind: notice.kind, accepted: false, attempts: attempt,
                        error: "\(lastError) (\(attempt) attempt\(attempt == 1 ? "" : "s"))")
    }
}
