using Google.Protobuf.Reflection;

namespace Parks.Gateway.Api;

/// <summary>
/// A resource-style REST route of a read method, in the google.api.http template syntax the allow-list uses:
/// <c>GET /v1/{name=districts/*/enterprises/*}</c>, <c>GET /v1/{parent=districts/*}/enterprises</c>,
/// <c>GET /v1/zone/indicators</c>. At most one variable, which binds a request field; <c>*</c> matches one segment,
/// <c>**</c> (last in the variable) one or more. Query parameters bind the other request fields.
/// </summary>
internal sealed class RestRoute
{
    private readonly string[] _prefix;
    private readonly string[] _pattern;
    private readonly string[] _suffix;

    private RestRoute(string text, string[] prefix, FieldPath? variable, string[] pattern, string[] suffix)
    {
        Text = text;
        _prefix = prefix;
        Variable = variable;
        _pattern = pattern;
        _suffix = suffix;
    }

    public string Text { get; }

    /// <summary>The request field the path variable binds, or null for a route without one.</summary>
    public FieldPath? Variable { get; }

    /// <summary>How specific the route is: routes with more literal segments are tried first.</summary>
    public int Specificity => _prefix.Length + _suffix.Length + _pattern.Count(p => p is not ("*" or "**"));

    /// <summary>Parses "GET /v1/...": only GET routes (reads) are resource-style; every method also has the RPC route.</summary>
    public static RestRoute Parse(string text, MessageDescriptor request)
    {
        var space = text.IndexOf(' ');
        if (space < 0 || text[..space] != "GET")
            throw new FormatException($"REST route '{text}': only 'GET /v1/...' routes are declared (every method also has POST /v1/rpc/{{service}}/{{method}}).");
        var path = text[(space + 1)..];
        if (!path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/v1/rpc/", StringComparison.Ordinal))
            throw new FormatException($"REST route '{text}' must start with /v1/ and not with /v1/rpc/.");
        var open = path.IndexOf('{');
        if (open < 0) return new RestRoute(text, Segments(path), null, [], []);
        var close = path.IndexOf('}', open);
        if (close < 0 || path.IndexOf('{', open + 1) >= 0)
            throw new FormatException($"REST route '{text}' must have at most one {{variable}}.");
        if (open == 0 || path[open - 1] != '/' || (close + 1 < path.Length && path[close + 1] != '/'))
            throw new FormatException($"REST route '{text}': a variable must be whole segments.");
        var body = path[(open + 1)..close];
        var equals = body.IndexOf('=');
        var fieldName = equals < 0 ? body : body[..equals];
        var pattern = equals < 0 ? ["*"] : Segments(body[(equals + 1)..]);
        if (pattern.Length == 0 || Array.IndexOf(pattern, "**") is var deep && deep >= 0 && deep != pattern.Length - 1)
            throw new FormatException($"REST route '{text}': '**' may only end the variable's pattern.");
        var field = FieldPath.Resolve(request, fieldName, out var problem)
            ?? throw new FormatException($"REST route '{text}': {problem}.");
        return new RestRoute(text, Segments(path[..open]), field, pattern, Segments(path[(close + 1)..]));
    }

    /// <summary>Matches request path segments (already split and decoded); on success gives the variable's value.</summary>
    public bool TryMatch(IReadOnlyList<string> segments, out string? value)
    {
        value = null;
        var fixedLength = _prefix.Length + _suffix.Length;
        var deep = _pattern.Length > 0 && _pattern[^1] == "**";
        var variableLength = segments.Count - fixedLength;
        if (Variable is null ? variableLength != 0 : deep ? variableLength < _pattern.Length : variableLength != _pattern.Length) return false;
        for (var i = 0; i < _prefix.Length; i++)
        {
            if (segments[i] != _prefix[i]) return false;
        }
        for (var i = 0; i < _suffix.Length; i++)
        {
            if (segments[segments.Count - _suffix.Length + i] != _suffix[i]) return false;
        }
        if (Variable is null) return true;
        for (var i = 0; i < _pattern.Length; i++)
        {
            var segment = segments[_prefix.Length + i];
            if (segment.Length == 0) return false;
            if (_pattern[i] is "*" or "**") continue;
            if (segment != _pattern[i]) return false;
        }
        value = string.Join('/', segments.Skip(_prefix.Length).Take(variableLength));
        return true;
    }

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
