using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Parks.Hosting.Security;

namespace Parks.Gateway.Security;

/// <summary>The outcome of authenticating a call: the caller, or why it is not authenticated.</summary>
internal readonly record struct AuthenticationResult(KnownCaller? Caller, string? Failure, CredentialKind Kind)
{
    public static AuthenticationResult Fail(string failure) => new(null, failure, CredentialKind.None);
}

internal enum CredentialKind
{
    None,
    /// <summary><c>Authorization: Bearer &lt;api key&gt;</c>.</summary>
    ApiKey,
    /// <summary><c>Authorization: Parks-HMAC-SHA256 caller=…, ts=…, nonce=…, sig=…</c>: short-lived and single-use.</summary>
    SignedToken,
    /// <summary>The browser session cookie, opened with an API key (read-only use).</summary>
    Session,
}

/// <summary>
/// Authenticates callers. Three credentials are accepted:
/// <list type="bullet">
/// <item>an API key as a bearer token;</item>
/// <item>a signed request token, HMAC-SHA256 with the caller's key over
/// <c>PARKS1\n{caller}\n{ts}\n{nonce}\n{method path}</c>: rejected when its timestamp is more than
/// <c>SignedTokenMaxAgeSeconds</c> away from now (expired) or its nonce was seen before (replayed);</item>
/// <item>a session cookie the gateway issued for an API key (browsers: the dashboard), with an expiry, signed with a
/// key derived from the internal key so every replica accepts it.</item>
/// </list>
/// </summary>
internal sealed class Authenticator
{
    public const string AuthorizationHeader = "authorization";
    public const string SessionCookie = "parks_session";
    public const string SignedScheme = "Parks-HMAC-SHA256";

    private readonly CallerDirectory _callers;
    private readonly NonceCache _nonces;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _sessionLifetime;
    private readonly byte[] _sessionKey;

    public Authenticator(CallerDirectory callers, NonceCache nonces, TimeProvider time, IOptions<GatewayOptions> options, IOptions<SecurityOptions> security)
    {
        _callers = callers;
        _nonces = nonces;
        _time = time;
        _maxAge = TimeSpan.FromSeconds(options.Value.SignedTokenMaxAgeSeconds);
        _sessionLifetime = TimeSpan.FromMinutes(options.Value.SessionMinutes);
        _sessionKey = HMACSHA256.HashData(Encoding.UTF8.GetBytes(security.Value.InternalKey), "parks-gateway-session-v1"u8);
    }

    public TimeSpan SessionLifetime => _sessionLifetime;

    /// <summary>Authenticates from the Authorization value (if any), else the session cookie (if allowed).</summary>
    public AuthenticationResult Authenticate(string? authorization, string? sessionCookie, string methodPath)
    {
        if (!string.IsNullOrEmpty(authorization)) return FromAuthorization(authorization.Trim(), methodPath);
        if (!string.IsNullOrEmpty(sessionCookie)) return FromSession(sessionCookie);
        return AuthenticationResult.Fail("The call carries no credentials: send 'authorization: Bearer <api key>' or a signed token.");
    }

    private AuthenticationResult FromAuthorization(string value, string methodPath)
    {
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var caller = _callers.FindByKey(value["Bearer ".Length..].Trim());
            return caller is null ? AuthenticationResult.Fail("The API key is not valid.") : new(caller, null, CredentialKind.ApiKey);
        }
        if (value.StartsWith(SignedScheme + " ", StringComparison.Ordinal)) return FromSignedToken(value[(SignedScheme.Length + 1)..], methodPath);
        return AuthenticationResult.Fail($"Unsupported authorization scheme: use 'Bearer <api key>' or '{SignedScheme} caller=…, ts=…, nonce=…, sig=…'.");
    }

    private AuthenticationResult FromSignedToken(string parameters, string methodPath)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parameters.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0 || !fields.TryAdd(part[..equals], part[(equals + 1)..]))
                return AuthenticationResult.Fail("The signed token is malformed.");
        }
        if (!fields.TryGetValue("caller", out var id) || !fields.TryGetValue("ts", out var tsText) || !fields.TryGetValue("nonce", out var nonce) || !fields.TryGetValue("sig", out var sigText))
            return AuthenticationResult.Fail("The signed token needs caller, ts, nonce and sig.");
        if (!long.TryParse(tsText, NumberStyles.None, CultureInfo.InvariantCulture, out var ts))
            return AuthenticationResult.Fail("The signed token's ts is not a Unix time in seconds.");
        if (nonce.Length is < 16 or > 128 || !nonce.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return AuthenticationResult.Fail("The signed token's nonce must be 16-128 letters, digits, '-' or '_'.");
        var caller = _callers.FindById(id);
        byte[] given;
        try { given = Convert.FromHexString(sigText); } catch (FormatException) { return AuthenticationResult.Fail("The signed token's sig is not hex."); }
        // Verify the signature before anything that depends on the caller existing, so unknown callers and bad
        // signatures look the same.
        var expected = caller is null ? new byte[32] : Sign(caller.Key, id, ts, nonce, methodPath);
        if (caller is null || !CryptographicOperations.FixedTimeEquals(expected, given))
            return AuthenticationResult.Fail("The signed token's signature is not valid.");
        var now = _time.GetUtcNow();
        var issued = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(ts, 0, 253_402_300_799));
        if (issued < now - _maxAge || issued > now + _maxAge)
            return AuthenticationResult.Fail($"The signed token has expired (its ts must be within {(int)_maxAge.TotalSeconds} s of the gateway's clock).");
        if (!_nonces.TryUse(id + "\n" + nonce, issued + _maxAge))
            return AuthenticationResult.Fail("The signed token was already used (replayed); sign every call with a new nonce.");
        return new(caller, null, CredentialKind.SignedToken);
    }

    /// <summary>The signature of a signed request token (callers compute the same).</summary>
    public static byte[] Sign(byte[] key, string caller, long unixSeconds, string nonce, string methodPath) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"PARKS1\n{caller}\n{unixSeconds.ToString(CultureInfo.InvariantCulture)}\n{nonce}\n{methodPath}"));

    /// <summary>Issues a session cookie value for a caller; it names a fingerprint of the caller's key, so rotating the key ends it.</summary>
    public (string Value, DateTimeOffset Expires) IssueSession(KnownCaller caller)
    {
        var expires = _time.GetUtcNow() + _sessionLifetime;
        var payload = $"v1\n{caller.Identity.Id}\n{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}\n{Fingerprint(caller)}";
        var payloadBytes = Encoding.UTF8.GetBytes(payload);
        var mac = HMACSHA256.HashData(_sessionKey, payloadBytes);
        return (Base64Url(payloadBytes) + "." + Base64Url(mac), expires);
    }

    private AuthenticationResult FromSession(string cookie)
    {
        var dot = cookie.IndexOf('.');
        if (dot <= 0) return AuthenticationResult.Fail("The session is not valid; sign in again.");
        byte[] payload, mac;
        try
        {
            payload = FromBase64Url(cookie[..dot]);
            mac = FromBase64Url(cookie[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return AuthenticationResult.Fail("The session is not valid; sign in again.");
        }
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_sessionKey, payload), mac))
            return AuthenticationResult.Fail("The session is not valid; sign in again.");
        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        if (parts.Length != 4 || parts[0] != "v1" || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
            return AuthenticationResult.Fail("The session is not valid; sign in again.");
        if (DateTimeOffset.FromUnixTimeSeconds(expires) <= _time.GetUtcNow())
            return AuthenticationResult.Fail("The session has expired; sign in again.");
        var caller = _callers.FindById(parts[1]);
        if (caller is null || Fingerprint(caller) != parts[3])
            return AuthenticationResult.Fail("The session's credentials are no longer valid; sign in again.");
        return new(caller, null, CredentialKind.Session);
    }

    private static string Fingerprint(KnownCaller caller) => Convert.ToHexString(SHA256.HashData(caller.Key).AsSpan(0, 8));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}

/// <summary>
/// Nonces of signed tokens seen within their validity window (in memory, per replica: a replayed token is refused by
/// the replica that saw it; docs/architecture.md notes the limit).
/// </summary>
internal sealed class NonceCache(TimeProvider time)
{
    private const int PurgeThreshold = 100_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Records the nonce until <paramref name="forgetAfter"/>; false when it was already recorded.</summary>
    public bool TryUse(string nonce, DateTimeOffset forgetAfter)
    {
        if (Interlocked.Increment(ref _count) % 1_000 == 0 && _seen.Count > PurgeThreshold) Purge();
        return _seen.TryAdd(nonce, forgetAfter);
    }

    private void Purge()
    {
        var now = time.GetUtcNow();
        foreach (var (nonce, forgetAfter) in _seen)
        {
            if (forgetAfter < now) _seen.TryRemove(nonce, out _);
        }
    }
}
