using Parks.Domain;

namespace Parks.Units.Tests.Domain;

public sealed class UnifiedSocialCreditCodeTests
{
    [Theory]
    [InlineData("91350100M000100Y43")]  // the worked example of GB 32100-2015
    [InlineData("914403001922038216")]  // published codes of registered companies
    [InlineData("9144030071526726XG")]
    [InlineData("91440300708461136T")]
    [InlineData("91330100799655058B")]
    [InlineData("91110000100017643K")]
    public void Accepts_published_codes(string text)
    {
        Assert.True(UnifiedSocialCreditCode.TryParse(text, out var code, out var reason), reason);
        Assert.Equal(text, code!.Value.Value);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("91350100M000100Y4", "must be 18 characters (got 17)")]
    [InlineData("91350100M000100Y433", "must be 18 characters (got 19)")]
    [InlineData("91350100m000100Y43", "character 9 'm' is not allowed")]   // lower case
    [InlineData("91350100I000100Y43", "character 9 'I' is not allowed")]   // I, O, S, V, Z are excluded
    [InlineData("91350100O000100Y43", "character 9 'O' is not allowed")]
    [InlineData("91350100S000100Y43", "character 9 'S' is not allowed")]
    [InlineData("91350100V000100Y43", "character 9 'V' is not allowed")]
    [InlineData("91350100Z000100Y43", "character 9 'Z' is not allowed")]
    [InlineData("913501-0M000100Y43", "character 7 '-' is not allowed")]
    [InlineData("9135A100M000100Y43", "characters 3-8 are the administrative division code and must be digits (character 5 is 'A')")]
    [InlineData("91350100M000100Y44", "check character is '4' but GB 32100-2015 requires '3'")]
    [InlineData("914403001922038215", "check character is '5' but GB 32100-2015 requires '6'")]
    public void Rejects_each_kind_of_invalid_code_with_its_reason(string? text, string expectedReason)
    {
        Assert.False(UnifiedSocialCreditCode.TryParse(text, out var code, out var reason));
        Assert.Null(code);
        Assert.StartsWith(expectedReason, reason);
    }

    [Fact]
    public void A_transposition_of_two_characters_changes_the_check_character()
    {
        // 0 and 1 swapped in positions 10-11: the weighted sum differs, so the check character no longer fits.
        Assert.False(UnifiedSocialCreditCode.TryParse("91350100M001000Y43", out _, out var reason));
        Assert.Contains("check character", reason);
    }

    [Fact]
    public void Check_character_31_is_written_as_zero()
    {
        // Search a body whose weighted sum is divisible by 31, where the formula gives 31 and the code writes '0'.
        var found = Enumerable.Range(0, 10_000)
            .Select(i => $"9121020000000{i:0000}")
            .Select(UnifiedSocialCreditCode.FromBody)
            .First(c => c.Value[17] == '0');
        Assert.True(UnifiedSocialCreditCode.TryParse(found.Value, out _, out _));
        Assert.False(UnifiedSocialCreditCode.TryParse(found.Value[..17] + "Y", out _, out _));
    }

    [Fact]
    public void FromBody_completes_the_check_character()
    {
        Assert.Equal("91350100M000100Y43", UnifiedSocialCreditCode.FromBody("91350100M000100Y4").Value);
    }

    [Fact]
    public void Parse_names_the_field_in_the_validation_error()
    {
        var error = Assert.Throws<ValidationException>(() => UnifiedSocialCreditCode.Parse("91350100M000100Y44", "enterprise.uscc"));
        var violation = Assert.Single(error.Violations);
        Assert.Equal("enterprise.uscc", violation.Field);
        Assert.Contains("requires '3'", violation.Description);
    }
}
