namespace Parks.Testing;

/// <summary>Unique ids so that tests sharing a store or a server never see each other's data.</summary>
public static class TestIds
{
    /// <summary><c>{prefix}-{12 random hex digits}</c>, e.g. <c>t-3f9a0c1d2e4b</c>.</summary>
    public static string New(string prefix = "t") => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";
}
