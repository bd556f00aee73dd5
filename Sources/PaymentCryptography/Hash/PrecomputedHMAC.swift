import Crypto
import Foundation  // ContiguousBytes, through which a digest's bytes are read

/// HMAC (RFC 2104) whose key is processed once: the hash states after absorbing the key's inner
/// pad (`K0 ⊕ ipad`) and outer pad (`K0 ⊕ opad`) are kept, and each message starts from copies of
/// them. Messages go to the hash through `update(bufferPointer:)`, so a MAC costs two hash
/// finalisations and no per-call generic data handling; the output is that of
/// `HMAC<H>.authenticationCode(for:using:)`, which the tests check on random keys and messages.
///
/// Generic and inlinable so that the caller's module specialises it for its hash.
public struct PrecomputedHMAC<H: HashFunction>: Sendable {
    @usableFromInline let inner: H
    @usableFromInline let outer: H

    /// Processes `key`: a key longer than the hash's block is hashed first (RFC 2104, §2), then
    /// padded with zeros to the block size and XORed with the pads.
    @inlinable
    public init(key: [UInt8]) {
        var block = [UInt8](repeating: 0, count: H.blockByteCount)
        key.withUnsafeBytes { bytes in
            if bytes.count > H.blockByteCount {
                var hasher = H()
                hasher.update(bufferPointer: bytes)
                hasher.finalize().withUnsafeBytes { digest in
                    for i in 0..<digest.count { block[i] = digest[i] }
                }
            } else {
                for i in 0..<bytes.count { block[i] = bytes[i] }
            }
        }
        var inner = H()
        var outer = H()
        // One pad buffer, XORed in place and cleared afterwards, like `block`: no copy of the
        // key's pads is left on the heap.
        var pad = block
        for i in pad.indices { pad[i] ^= 0x36 }
        pad.withUnsafeBytes { inner.update(bufferPointer: $0) }
        for i in pad.indices { pad[i] ^= 0x36 ^ 0x5C }
        pad.withUnsafeBytes { outer.update(bufferPointer: $0) }
        for i in pad.indices { pad[i] = 0 }
        for i in block.indices { block[i] = 0 }
        self.inner = inner
        self.outer = outer
    }

    /// The full HMAC of the bytes in `message`.
    @inlinable
    public func authenticationCode(_ message: UnsafeRawBufferPointer) -> H.Digest {
        var innerHash = inner
        innerHash.update(bufferPointer: message)
        var outerHash = outer
        innerHash.finalize().withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        return outerHash.finalize()
    }

    /// The full HMAC of `message`.
    @inlinable
    public func authenticationCode(_ message: [UInt8]) -> H.Digest {
        message.withUnsafeBytes { authenticationCode($0) }
    }

    /// The full HMAC of `message` as bytes (copied from the digest in one piece).
    @inlinable
    public func authenticationCodeBytes(_ message: [UInt8]) -> [UInt8] {
        authenticationCode(message).withUnsafeBytes { Array($0) }
    }
}
