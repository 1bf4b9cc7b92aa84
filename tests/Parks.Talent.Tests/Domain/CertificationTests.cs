using Parks.Domain;
using Parks.Talent.Domain;
using static Parks.Talent.Tests.TestData;

namespace Parks.Talent.Tests.Domain;

public sealed class CertificationTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static TalentRecord NewTalent() => TalentRecord.Create("dr-li", new TalentDraft("Dr Li", NewUscc(), "catalysis", true, Degree.Doctorate), Now);

    [Fact]
    public void The_seed_baseline_is_the_zones_2023_counts_by_level()
    {
        // 000:152: 国家级人才140人、省级人才170人、市级人才3800余人.
        var b = Seed.Baseline;

        Assert.Equal(2023, b.Year);
        Assert.Equal(new BaselineCount(140, false), b.ByLevel[TalentLevel.National]);
        Assert.Equal(new BaselineCount(170, false), b.ByLevel[TalentLevel.Provincial]);
        Assert.Equal(new BaselineCount(3800, true), b.ByLevel[TalentLevel.Municipal]);
        Assert.Equal("000:152", b.Source);
    }

    [Fact]
    public void Programmes_include_haichuang_and_kechuang_with_sources()
    {
        Assert.Equal("海创工程", Seed.GetProgramme("haichuang").NameZh);
        Assert.Equal("科创工程", Seed.GetProgramme("kechuang").NameZh);
        Assert.All(Seed.Programmes, p => Assert.False(string.IsNullOrEmpty(p.Source)));
        Assert.Throws<NotFoundException>(() => Seed.GetProgramme("no-such-programme"));
    }

    [Fact]
    public void Application_review_certification_publishes_talent_certified()
    {
        var talent = NewTalent();
        var applied = Certification.Apply("c1", talent, TalentLevel.Provincial, Seed.GetProgramme("haichuang"), "award letter", [], Now);

        var (certified, evt) = applied.StartReview("talent office", Now).Certify(new DateOnly(2024, 3, 1), new DateOnly(2027, 2, 28), UnitRef.District("lingshui"), Now);

        Assert.Equal(CertificationStatus.Certified, certified.Status);
        Assert.True(certified.IsValidOn(new DateOnly(2026, 1, 1)));
        Assert.False(certified.IsValidOn(new DateOnly(2027, 3, 1)));
        Assert.Equal("talents/dr-li", evt.Talent);
        Assert.Equal(TalentLevel.Provincial, evt.Level);
        Assert.Equal(UnitRef.District("lingshui"), evt.EmployerUnit);
    }

    [Fact]
    public void A_second_application_while_one_is_pending_or_valid_is_a_duplicate()
    {
        var talent = NewTalent();
        var programme = Seed.GetProgramme("kechuang");
        var pending = Certification.Apply("c1", talent, TalentLevel.Municipal, programme, "e", [], Now);
        var valid = pending.StartReview("r", Now).Certify(new DateOnly(2023, 1, 1), new DateOnly(2025, 12, 31), UnitRef.Park("jinpu"), Now).Certification;
        var expired = valid with { ValidTo = new DateOnly(2024, 2, 1) };

        Assert.Throws<AlreadyExistsException>(() => Certification.Apply("c2", talent, TalentLevel.Municipal, programme, "e", [pending], Now));
        Assert.Throws<AlreadyExistsException>(() => Certification.Apply("c2", talent, TalentLevel.Municipal, programme, "e", [valid], Now));
        // Another level, or after the earlier one expired, is fine.
        Assert.Equal(CertificationStatus.Submitted, Certification.Apply("c2", talent, TalentLevel.Provincial, programme, "e", [valid], Now).Status);
        Assert.Equal(CertificationStatus.Submitted, Certification.Apply("c2", talent, TalentLevel.Municipal, programme, "e", [expired], Now).Status);
    }

    [Fact]
    public void Certification_needs_a_review_first_and_a_sound_validity()
    {
        var applied = Certification.Apply("c1", NewTalent(), TalentLevel.National, Seed.GetProgramme("haichuang"), "e", [], Now);
        var reviewing = applied.StartReview("r", Now);

        Assert.Throws<FailedPreconditionException>(() => applied.Certify(new DateOnly(2024, 1, 1), new DateOnly(2026, 1, 1), UnitRef.District("longtou"), Now));
        Assert.Equal("valid_to", Assert.Throws<ValidationException>(() =>
            reviewing.Certify(new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 1), UnitRef.District("longtou"), Now)).Violations[0].Field);
        Assert.Equal("valid_to", Assert.Throws<ValidationException>(() =>
            reviewing.Certify(new DateOnly(2020, 1, 1), new DateOnly(2023, 1, 1), UnitRef.District("longtou"), Now)).Violations[0].Field);
    }

    [Fact]
    public void Rejection_records_the_reason_and_ends_the_application()
    {
        var reviewing = Certification.Apply("c1", NewTalent(), TalentLevel.National, Seed.GetProgramme("haichuang"), "e", [], Now).StartReview("r", Now);

        var rejected = reviewing.Reject("evidence of the national award is missing", Now);

        Assert.Equal("evidence of the national award is missing", rejected.RejectionReason);
        Assert.Throws<FailedPreconditionException>(() => rejected.Certify(new DateOnly(2024, 1, 1), new DateOnly(2026, 1, 1), UnitRef.District("longtou"), Now));
        Assert.False(rejected.BlocksDuplicateOn(new DateOnly(2024, 3, 1)));
    }

    [Fact]
    public void A_talent_needs_a_valid_employer_code()
    {
        var ex = Assert.Throws<ValidationException>(() => TalentRecord.Create("t1", new TalentDraft("X", "123", "ai", false, null), Now));

        Assert.Equal("employer_uscc", ex.Violations[0].Field);
    }
}
