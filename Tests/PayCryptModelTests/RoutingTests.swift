import Testing

@testable import PayCryptModel

/// A request path's segments, split on the bytes, against the plain definition: the path before any
/// `?`, split on every `/` (empty pieces kept), without the piece before the leading `/`.
@Suite("Routing: path segments")
struct RoutingTests {
    static func reference(_ path: String) -> [String] {
        let beforeQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return Array(beforeQuery.split(separator: "/", omittingEmptySubsequences: false).map(String.init).dropFirst())
    }

    @Test("examples", arguments: ["", "/", "//", "/keys/alias%2Fx/encrypt", "/mac/generate?x=1/2", "?a", "no-slash", "/a//b/", "/é/€?/"])
    func examples(path: String) {
        #expect(CompiledRoute.segments(of: path) == Self.reference(path))
    }

    @Test("random paths of slashes, question marks, letters and non-ASCII text")
    func randomPaths() {
        let seed = testSeed(environment: "PAYCRYPT_ROUTING_SEED")
        var rng = SplitMix(seed: seed)
        let pieces = ["/", "/", "?", "a", "keys", "%2F", "é", "😀", ""]
        for _ in 0..<5_000 {
            let path = (0..<rng.next(10)).map { _ in pieces[rng.next(pieces.count)] }.joined()
            #expect(CompiledRoute.segments(of: path) == Self.reference(path), "seed \(seed) (PAYCRYPT_ROUTING_SEED): \(path.debugDescription)")
        }
    }
}
