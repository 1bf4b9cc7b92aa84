using Parks.Hosting.State;
using Parks.Domain;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Units.Storage;
using Parks.Testing;
using Parks.Units.Tests.Support;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Storage;

public abstract class EnterpriseOperationsTests : StoreTests
{
    private static EnterpriseDraft NewDraft(string industry = "software-it") => Draft(null, industry);

    [Fact]
    public async Task Creates_an_enterprise_with_its_registry_entry_and_event_in_one_commit()
    {
        var (lingshui, _, _, store) = await ZoneAsync();
        var draft = NewDraft();

        var created = await lingshui.Enterprises.CreateAsync("districts/lingshui", draft, null);

        Assert.Equal(1, created.Version);
        Assert.Equal("1", created.Etag);
        var read = await lingshui.Enterprises.GetAsync(created.Value.Name);
        Assert.Equal(created.Value.DisplayName, read.Value.DisplayName);
        Assert.NotNull(await store.GetAsync(ZoneKeys.Registry(draft.Uscc!)));
        var registered = Assert.Single(await lingshui.Outbox.CommittedAsync<EnterpriseRegisteredEvent>(store));
        Assert.Equal(created.Value.Name, registered.Enterprise.Name);
    }

    [Fact]
    public async Task An_enterprise_is_registered_in_one_place_zone_wide()
    {
        var (lingshui, qixianling, parks, store) = await ZoneAsync();
        var draft = NewDraft();
        await lingshui.Enterprises.CreateAsync("districts/lingshui", draft, null);
        var keysBefore = store.Keys();

        var inDistrict = await Assert.ThrowsAsync<AlreadyExistsException>(() => qixianling.Enterprises.CreateAsync("districts/qixianling", draft, null));
        var inPark = await Assert.ThrowsAsync<AlreadyExistsException>(() => parks.Enterprises.CreateAsync("parks/jinpu", draft, null));

        Assert.Equal($"districts/lingshui/enterprises/{draft.Uscc}", inDistrict.ResourceName);
        Assert.Contains("already registered in districts/lingshui", inPark.Message);
        Assert.Equal(keysBefore, store.Keys());
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_code_in_two_districts_leave_exactly_one()
    {
        // Both districts read the registry entry as absent before either commits: the commit decides.
        var draft = NewDraft();
        var shared = NewStore();
        var store = new ObservedStore(new RendezvousStore(shared, key => key == ZoneKeys.Registry(draft.Uscc!), readers: 2));
        var (lingshui, qixianling, _, _) = await UnitsProcess.ZoneAsync(store);

        var results = await Task.WhenAll(
            Attempt(() => lingshui.Enterprises.CreateAsync("districts/lingshui", draft, null)),
            Attempt(() => qixianling.Enterprises.CreateAsync("districts/qixianling", draft, null)));

        Assert.Single(results, r => r is null);
        Assert.IsType<AlreadyExistsException>(Assert.Single(results, r => r is not null));
        Assert.Single(shared.Keys(), k => k.Contains(":enterprise:", StringComparison.Ordinal));

        static async Task<Exception?> Attempt(Func<Task> create)
        {
            await Task.Yield();
            try { await create(); return null; }
            catch (Exception ex) { return ex; }
        }
    }

    [Fact]
    public async Task A_retried_create_with_the_same_request_id_returns_the_same_enterprise()
    {
        var (lingshui, _, _, store) = await ZoneAsync();
        var draft = NewDraft();

        var first = await lingshui.Enterprises.CreateAsync("districts/lingshui", draft, "req-1");
        var again = await lingshui.Enterprises.CreateAsync("districts/lingshui", draft, "req-1");

        Assert.Equal(first.Value.Name, again.Value.Name);
        Assert.Equal(first.Version, again.Version);
        Assert.Single(await lingshui.Outbox.CommittedAsync<EnterpriseRegisteredEvent>(store));
        var reused = await Assert.ThrowsAsync<ValidationException>(() =>
            lingshui.Enterprises.CreateAsync("districts/lingshui", draft with { DisplayName = "另一家" }, "req-1"));
        Assert.Equal("request_id", reused.Violations[0].Field);
        Assert.Contains(first.Value.Name, reused.Violations[0].Description);
    }

    [Fact]
    public async Task A_stale_etag_is_aborted_and_changes_nothing()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        var created = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
        var patch = new EnterprisePatch("改名一", null, null, null, null, default);
        var updated = await lingshui.Enterprises.UpdateAsync(created.Value.Name, ["display_name"], patch, created.Etag);

        await Assert.ThrowsAsync<ConcurrencyException>(() =>
            lingshui.Enterprises.UpdateAsync(created.Value.Name, ["display_name"], patch with { DisplayName = "改名二" }, created.Etag));
        Assert.Equal("etag", (await Assert.ThrowsAsync<ValidationException>(() =>
            lingshui.Enterprises.UpdateAsync(created.Value.Name, ["display_name"], patch, "W/x"))).Violations[0].Field);

        var read = await lingshui.Enterprises.GetAsync(created.Value.Name);
        Assert.Equal("改名一", read.Value.DisplayName);
        Assert.Equal(updated.Version, read.Version);
        Assert.Equal(2, read.Version);
    }

    [Fact]
    public async Task Lists_by_tier_and_industry_through_their_indexes_with_page_tokens()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        var names = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var e = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(i % 2 == 0 ? "software-it" : "metaverse"), null);
            names.Add(e.Value.Name);
            if (i < 3) await lingshui.Enterprises.CertifyAsync(e.Value.Name, Cert(EnterpriseTier.TechSme, new DateOnly(2024, 1, 2)), null);
        }

        var all = await ListAll(lingshui, new EnterpriseQuery("districts/lingshui", 3, null, EnterpriseTier.Unspecified, null, DataSetFilter.All));
        Assert.Equal(names.Order(StringComparer.Ordinal), all);
        var techSme = await ListAll(lingshui, new EnterpriseQuery("districts/lingshui", 2, null, EnterpriseTier.TechSme, null, DataSetFilter.All));
        Assert.Equal(names.Take(3).Order(StringComparer.Ordinal), techSme);
        var techSoftware = await ListAll(lingshui, new EnterpriseQuery("districts/lingshui", 10, null, EnterpriseTier.TechSme, "software-it", DataSetFilter.All));
        Assert.Equal(new[] { names[0], names[2] }.Order(StringComparer.Ordinal), techSoftware);
        var metaverse = await lingshui.Enterprises.ListAsync(new EnterpriseQuery("districts/lingshui", 10, null, EnterpriseTier.Unspecified, "metaverse", DataSetFilter.All));
        Assert.Equal(3, metaverse.TotalSize);
        Assert.Empty((await lingshui.Enterprises.ListAsync(new EnterpriseQuery("districts/lingshui", 10, null, EnterpriseTier.Unspecified, null, DataSetFilter.Demo))).Items);
    }

    [Fact]
    public async Task Bad_list_requests_get_field_errors()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        for (var i = 0; i < 3; i++) await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
        var page = await lingshui.Enterprises.ListAsync(new EnterpriseQuery("districts/lingshui", 1, null, EnterpriseTier.Unspecified, null, DataSetFilter.All));

        var otherQuery = await Assert.ThrowsAsync<ValidationException>(() => lingshui.Enterprises.ListAsync(
            new EnterpriseQuery("districts/lingshui", 1, page.NextPageToken, EnterpriseTier.TechSme, null, DataSetFilter.All)));
        Assert.Equal("page_token", otherQuery.Violations[0].Field);
        Assert.Equal("page_size", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Enterprises.ListAsync(
            new EnterpriseQuery("districts/lingshui", -1, null, EnterpriseTier.Unspecified, null, DataSetFilter.All)))).Violations[0].Field);
        Assert.Equal("industry", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Enterprises.ListAsync(
            new EnterpriseQuery("districts/lingshui", 1, null, EnterpriseTier.Unspecified, "steel", DataSetFilter.All)))).Violations[0].Field);
        Assert.Equal("parent", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Enterprises.ListAsync(
            new EnterpriseQuery("lingshui", 1, null, EnterpriseTier.Unspecified, null, DataSetFilter.All)))).Violations[0].Field);
    }

    [Fact]
    public async Task A_district_instance_serves_only_its_own_district()
    {
        var (lingshui, _, parks, _) = await ZoneAsync();

        var other = await Assert.ThrowsAsync<FailedPreconditionException>(() => lingshui.Enterprises.CreateAsync("districts/qixianling", NewDraft(), null));
        Assert.Equal("UNIT_NOT_SERVED", other.Violations[0].Type);
        await Assert.ThrowsAsync<NotFoundException>(() => lingshui.Enterprises.CreateAsync("districts/nowhere", NewDraft(), null));
        await Assert.ThrowsAsync<FailedPreconditionException>(() => lingshui.Enterprises.CreateAsync("parks/jinpu", NewDraft(), null));
        Assert.Equal("parks/nowhere", (await Assert.ThrowsAsync<NotFoundException>(() => parks.Enterprises.CreateAsync("parks/nowhere", NewDraft(), null))).ResourceName);
        await Assert.ThrowsAsync<NotFoundException>(() => lingshui.Enterprises.GetAsync($"districts/lingshui/enterprises/{NewUscc()}"));
    }

    [Fact]
    public async Task Relocation_hands_the_enterprise_over_with_its_history()
    {
        var (lingshui, _, parks, store) = await ZoneAsync();
        var created = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
        var (certified, _) = await lingshui.Enterprises.CertifyAsync(created.Value.Name, Cert(EnterpriseTier.TechSme, new DateOnly(2024, 1, 2)), null);

        var moved = await lingshui.Enterprises.RelocateAsync(created.Value.Name, "parks/jinpu", new DateOnly(2024, 6, 1), "扩产", certified.Etag);

        Assert.Equal("parks/jinpu", moved.Unit.ResourceName);
        await Assert.ThrowsAsync<NotFoundException>(() => lingshui.Enterprises.GetAsync(created.Value.Name));
        Assert.NotNull(await store.GetAsync(new UnitKeys(Lingshui).Departed(moved.Uscc)));
        var registry = await store.GetAsync(ZoneKeys.Registry(moved.Uscc));
        Assert.Contains("parks/jinpu", System.Text.Encoding.UTF8.GetString(registry!.Value.Span));
        Assert.Empty((await lingshui.Enterprises.ListAsync(new EnterpriseQuery("districts/lingshui", 10, null, EnterpriseTier.TechSme, null, DataSetFilter.All))).Items);

        var relocated = Assert.Single(await lingshui.Outbox.CommittedAsync<EnterpriseRelocatedEvent>(store));
        Assert.True(await parks.Enterprises.TakeOverAsync(relocated));
        Assert.False(await parks.Enterprises.TakeOverAsync(relocated));   // redelivered: nothing changes

        var there = await parks.Enterprises.GetAsync($"parks/jinpu/enterprises/{moved.Uscc}");
        Assert.Equal(EnterpriseTier.TechSme, there.Value.Tier);
        Assert.Single(there.Value.Certifications);
        Assert.Equal("扩产", Assert.Single(there.Value.Locations).Reason);
        var listed = await parks.Enterprises.ListAsync(new EnterpriseQuery("parks/jinpu", 10, null, EnterpriseTier.TechSme, null, DataSetFilter.All));
        Assert.Equal(there.Value.Name, Assert.Single(listed.Items).Value.Name);
    }

    [Fact]
    public async Task The_target_takes_over_from_the_published_protobuf_snapshot()
    {
        var (lingshui, qixianling, _, store) = await ZoneAsync();
        var created = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
        var (certified, _) = await lingshui.Enterprises.CertifyAsync(created.Value.Name, Cert(EnterpriseTier.TechSme, new DateOnly(2024, 1, 2)), null);
        await lingshui.Enterprises.RelocateAsync(created.Value.Name, "districts/qixianling", new DateOnly(2024, 6, 1), null, null);
        var relocated = Assert.Single(await lingshui.Outbox.CommittedAsync<EnterpriseRelocatedEvent>(store));

        var (message, subject) = EventMapping.ToMessage(relocated, lingshui.Context.TierRules);
        var wire = Parks.Events.V1.EnterpriseRelocated.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(message));
        var snapshot = EventMapping.SnapshotOf(wire);

        Assert.Equal(relocated.Snapshot, snapshot with { Certifications = relocated.Snapshot.Certifications, Locations = relocated.Snapshot.Locations });
        Assert.Equal(relocated.Snapshot.Certifications, snapshot.Certifications);
        Assert.Equal(relocated.Snapshot.Locations, snapshot.Locations);
        Assert.Equal($"districts/qixianling/enterprises/{certified.Value.Uscc}", subject);
        Assert.True(await qixianling.Enterprises.TakeOverAsync(new EnterpriseRelocatedEvent(wire.FromUnit, snapshot) { Id = "e1", Time = Now }));
    }

    [Fact]
    public async Task A_relocation_to_an_unknown_unit_or_with_a_stale_etag_changes_nothing()
    {
        var (lingshui, _, _, store) = await ZoneAsync();
        var created = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
        var before = store.Keys();

        Assert.Equal("target_unit", (await Assert.ThrowsAsync<ValidationException>(() =>
            lingshui.Enterprises.RelocateAsync(created.Value.Name, "districts/nowhere", Today, null, null))).Violations[0].Field);
        Assert.Contains("not a branch park", (await Assert.ThrowsAsync<ValidationException>(() =>
            lingshui.Enterprises.RelocateAsync(created.Value.Name, "parks/nowhere", Today, null, null))).Violations[0].Description);
        await Assert.ThrowsAsync<ConcurrencyException>(() => lingshui.Enterprises.RelocateAsync(created.Value.Name, "parks/jinpu", Today, null, "7"));
        await Assert.ThrowsAsync<FailedPreconditionException>(() => lingshui.Enterprises.RelocateAsync(created.Value.Name, "districts/lingshui", Today, null, null));

        Assert.Equal(before, store.Keys());
    }

    [Fact]
    public async Task A_takeover_for_another_unit_or_an_outdated_move_is_ignored()
    {
        var (lingshui, qixianling, parks, store) = await ZoneAsync();
        var created = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
        await lingshui.Enterprises.RelocateAsync(created.Value.Name, "parks/jinpu", Today, null, null);
        var relocated = Assert.Single(await lingshui.Outbox.CommittedAsync<EnterpriseRelocatedEvent>(store));

        Assert.False(await qixianling.Enterprises.TakeOverAsync(relocated));
        Assert.True(await parks.Enterprises.TakeOverAsync(relocated));
        // It moves on to qixianling; the old event for jinpu arriving again must not resurrect it in jinpu.
        await parks.Enterprises.RelocateAsync($"parks/jinpu/enterprises/{created.Value.Uscc}", "districts/qixianling", Today, null, null);
        Assert.False(await parks.Enterprises.TakeOverAsync(relocated));
        await Assert.ThrowsAsync<NotFoundException>(() => parks.Enterprises.GetAsync($"parks/jinpu/enterprises/{created.Value.Uscc}"));
    }

    [Fact]
    public async Task Certifications_update_the_tier_indexes_and_publish_events()
    {
        var (lingshui, _, _, store) = await ZoneAsync();
        var created = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
        var (e1, c1) = await lingshui.Enterprises.CertifyAsync(created.Value.Name, Cert(EnterpriseTier.TechSme, new DateOnly(2024, 1, 2)), created.Etag);
        var (e2, _) = await lingshui.Enterprises.CertifyAsync(created.Value.Name, Cert(EnterpriseTier.HighTech, new DateOnly(2024, 2, 1)), e1.Etag);

        Assert.Equal(EnterpriseTier.HighTech, e2.Value.Tier);
        Assert.Empty((await lingshui.Enterprises.ListAsync(new EnterpriseQuery("districts/lingshui", 10, null, EnterpriseTier.TechSme, null, DataSetFilter.All))).Items);
        Assert.Single((await lingshui.Enterprises.ListAsync(new EnterpriseQuery("districts/lingshui", 10, null, EnterpriseTier.HighTech, null, DataSetFilter.All))).Items);
        var certified = await lingshui.Outbox.CommittedAsync<EnterpriseTierCertifiedEvent>(store);
        Assert.Equal([EnterpriseTier.Unspecified, EnterpriseTier.TechSme], certified.Select(c => c.PreviousTier));

        var (_, disqualified) = await lingshui.Enterprises.DisqualifyAsync($"{created.Value.Name}/certifications/2", "取消高企资格", null, null);
        Assert.True(Assert.Single(await lingshui.Outbox.CommittedAsync<EnterpriseTierDisqualifiedEvent>(store)).Certification.Status == CertificationStatus.Disqualified);
        Assert.Single((await lingshui.Enterprises.ListAsync(new EnterpriseQuery("districts/lingshui", 10, null, EnterpriseTier.TechSme, null, DataSetFilter.All))).Items);
        var (holder, history) = await lingshui.Enterprises.ListCertificationsAsync(created.Value.Name, 1, null);
        Assert.Equal("1", Assert.Single(history.Items).Id);
        Assert.NotEmpty(history.NextPageToken);
        Assert.Equal(c1.Id, history.Items[0].Id);
        Assert.Equal(created.Value.Name, holder.Name);
        Assert.Equal(disqualified.Id, (await lingshui.Enterprises.ListCertificationsAsync(created.Value.Name, 1, history.NextPageToken)).Page.Items[0].Id);
    }

    [Fact]
    public async Task A_forbidden_tier_jump_is_refused_and_nothing_is_written()
    {
        var (lingshui, _, _, store) = await ZoneAsync();
        var created = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);

        await Assert.ThrowsAsync<FailedPreconditionException>(() => lingshui.Enterprises.CertifyAsync(created.Value.Name, Cert(EnterpriseTier.Gazelle, Today), null));

        Assert.Equal(1, (await lingshui.Enterprises.GetAsync(created.Value.Name)).Version);
        Assert.Empty(await lingshui.Outbox.CommittedAsync<EnterpriseTierCertifiedEvent>(store));
    }

    [Fact]
    public async Task Expiring_certifications_are_listed_by_end_date_within_the_window()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        var ends = new[] { new DateOnly(2024, 7, 10), new DateOnly(2024, 6, 20), new DateOnly(2024, 12, 1), new DateOnly(2024, 8, 31) };
        foreach (var end in ends)
        {
            var e = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
            await lingshui.Enterprises.CertifyAsync(e.Value.Name, Cert(EnterpriseTier.TechSme, end.AddMonths(-12).AddDays(1), end), null);
        }

        var page1 = await lingshui.Enterprises.ListExpiringAsync(new ExpiringQuery("districts/lingshui", null, null, EnterpriseTier.Unspecified, 2, null, DataSetFilter.All));
        var page2 = await lingshui.Enterprises.ListExpiringAsync(new ExpiringQuery("districts/lingshui", null, null, EnterpriseTier.Unspecified, 2, page1.NextPageToken, DataSetFilter.All));

        Assert.Equal([new DateOnly(2024, 6, 20), new DateOnly(2024, 7, 10)], page1.Items.Select(h => h.Certification.ValidTo!.Value));
        Assert.Equal([new DateOnly(2024, 8, 31)], page2.Items.Select(h => h.Certification.ValidTo!.Value));   // 12-01 is beyond 90 days
        Assert.Equal("", page2.NextPageToken);
        var highTech = await lingshui.Enterprises.ListExpiringAsync(new ExpiringQuery("districts/lingshui", null, new DateOnly(2025, 1, 1), EnterpriseTier.HighTech, 10, null, DataSetFilter.All));
        Assert.Empty(highTech.Items);
        Assert.Equal("end_date", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Enterprises.ListExpiringAsync(
            new ExpiringQuery("districts/lingshui", Today, Today.AddDays(-1), EnterpriseTier.Unspecified, 10, null, DataSetFilter.All)))).Violations[0].Field);
    }

    [Fact]
    public async Task Lapsed_certifications_drop_the_stored_tier_when_the_day_comes()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        var e = await lingshui.Enterprises.CreateAsync("districts/lingshui", NewDraft(), null);
        await lingshui.Enterprises.CertifyAsync(e.Value.Name, Cert(EnterpriseTier.TechSme, new DateOnly(2023, 7, 1)), null);   // ends 2024-06-30

        Assert.Equal(0, await lingshui.Enterprises.RefreshLapsedTiersAsync(Lingshui, new DateOnly(2024, 6, 30)));
        Assert.Equal(1, await lingshui.Enterprises.RefreshLapsedTiersAsync(Lingshui, new DateOnly(2024, 7, 1)));
        Assert.Equal(0, await lingshui.Enterprises.RefreshLapsedTiersAsync(Lingshui, new DateOnly(2024, 7, 2)));

        var read = await lingshui.Enterprises.GetAsync(e.Value.Name);
        Assert.Equal(EnterpriseTier.Unspecified, read.Value.Tier);
        Assert.Empty((await lingshui.Enterprises.ListAsync(new EnterpriseQuery("districts/lingshui", 10, null, EnterpriseTier.TechSme, null, DataSetFilter.All))).Items);
    }

    private static async Task<IReadOnlyList<string>> ListAll(UnitsProcess process, EnterpriseQuery query)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await process.Enterprises.ListAsync(query with { PageToken = token });
            Assert.True(page.Items.Count <= query.PageSize);
            names.AddRange(page.Items.Select(e => e.Value.Name));
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));
        return names;
    }
}

public sealed class EnterpriseOperationsInMemoryTests : EnterpriseOperationsTests
{
    private protected override IStateStore CreateStore() => new InMemoryStateStore();
}

[Collection(RedisServerFixture.Collection)]
public sealed class EnterpriseOperationsRedisTests(RedisServerFixture redis) : EnterpriseOperationsTests
{
    private protected override IStateStore CreateStore() => RedisStores.For(redis);
}
