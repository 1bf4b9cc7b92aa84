using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Parks.Domain;

/// <summary>
/// Opaque list-pagination tokens (AIP-158). A token is bound to the query that produced it: its filter
/// fingerprint travels inside, so a token used with another query, or tampered with, is INVALID_ARGUMENT.
/// </summary>
public static class PageToken
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    /// <summary>Clamps a requested page size: 0 means the default; negative is an error.</summary>
    public static int NormalizePageSize(int requested, string field = "page_size")
    {
        if (requested < 0) throw new ValidationException(field, $"must not be negative (got {requested})");
        return requested == 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }

    /// <summary>Creates the token for the page that starts after <paramref name="cursor"/>.</summary>
    public static string Create(string queryFingerprint, string cursor)
    {
        var payload = $"v1\n{Fingerprint(queryFingerprint)}\n{cursor}";
        var bytes = Encoding.UTF8.GetBytes(payload);
        var check = Checksum(bytes).ToString("x8", CultureInfo.InvariantCulture);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload + "\n" + check));
    }

    /// <summary>Returns the cursor of a token, or null for an empty token (the first page).</summary>
    public static string? Read(string? token, string queryFingerprint, string field = "page_token")
    {
        if (string.IsNullOrEmpty(token)) return null;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new ValidationException(field, "is not a page token issued by this service");
        }
        var parts = text.Split('\n');
        if (parts.Length != 4 || parts[0] != "v1")
            throw new ValidationException(field, "is not a page token issued by this service");
        var body = Encoding.UTF8.GetBytes(string.Join('\n', parts[..3]));
        if (Checksum(body).ToString("x8", CultureInfo.InvariantCulture) != parts[3])
            throw new ValidationException(field, "is corrupted");
        if (parts[1] != Fingerprint(queryFingerprint))
            throw new ValidationException(field, "belongs to a different query (filters or parent changed); start again without a page token");
        return parts[2];
    }

    private static string Fingerprint(string query) => Checksum(Encoding.UTF8.GetBytes(query)).ToString("x8", CultureInfo.InvariantCulture);

    // FNV-1a: a stable checksum, not a security boundary (tokens carry no authority).
    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        var hash = 2166136261u;
        foreach (var b in data) hash = (hash ^ b) * 16777619u;
        return hash;
    }
}
