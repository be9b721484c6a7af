import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether text is a public IP address, the only kind a bank accepts as `Psu-Ip-Address`
/// (a private LAN address made HVB answer `ASPSP_ERROR`, actualbudget/actual#8032).
public enum PublicIPAddress {
    /// Why `text` (already trimmed) is not a public IPv4/IPv6 address, or nil when it is.
    public static func problem(_ text: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }  // network order
            return v4Problem(b)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let b = withUnsafeBytes(of: v6) { Array($0) }
            if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xff, b[11] == 0xff { return v4Problem(Array(b[12..<16])) }  // ::ffff:a.b.c.d
            if b.allSatisfy({ $0 == 0 }) { return "is the unspecified address" }
            if b[0..<15].allSatisfy({ $0 == 0 }), b[15] == 1 { return "is a loopback address" }
            if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return "is a link-local address (fe80::/10)" }
            if b[0] & 0xfe == 0xfc { return "is a private address (fc00::/7)" }
            if b[0] == 0xff { return "is a multicast address" }
            if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return "is a documentation address (2001:db8::/32)" }
            return nil
        }
        return "is not an IPv4 or IPv6 address"
    }

    static func v4Problem(_ b: [UInt8]) -> String? {
        switch (b[0], b[1], b[2]) {
        case (0, _, _): return "is in 0.0.0.0/8 (this network)"
        case (10, _, _): return "is a private address (10.0.0.0/8)"
        case (127, _, _): return "is a loopback address (127.0.0.0/8)"
        case (169, 254, _): return "is a link-local address (169.254.0.0/16)"
        case (172, 16...31, _): return "is a private address (172.16.0.0/12)"
        case (192, 168, _): return "is a private address (192.168.0.0/16)"
        case (100, 64...127, _): return "is a carrier-grade NAT address (100.64.0.0/10)"
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): return "is a documentation address"
        case (198, 18...19, _): return "is a benchmarking address (198.18.0.0/15)"
        case (224...239, _, _): return "is a multicast address"
        case (240...255, _, _): return "is a reserved address (240.0.0.0/4)"
        default: return nil
        }
    }
}
