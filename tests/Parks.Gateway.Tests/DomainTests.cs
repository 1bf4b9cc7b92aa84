using Google.Protobuf;
using Parks.Domain;
using Parks.Gateway.Api;
using Parks.Gateway.Domain;
using Parks.Gateway.ReferenceData;
using Parks.Gateway.Tests.Infrastructure;
using Parks.GatewayTest.V1;
using Parks.Hosting.Security;
using Parks.Reference.V1;

namespace Parks.Gateway.Tests;

/// <summary>The gateway's rules as plain functions: resource names, field reading, the allow-list, the zone scorecard.</summary>
public sealed class DomainTests
{
    [Theory]
    [InlineData("districts/lingshui/enterprises/91210200MA0000001X", true)]
    [InlineData("scienceCity/platforms/p-1", true)]
    [InlineData("innovationRankings/2024", true)]
    [InlineData("districts/lingshui/..", false)]
    [InlineData("districts/lingshui/./x", false)]
    [InlineData("districts/lingshui/", false)]
    [InlineData("districts/ling shui", false)]
    [InlineData("districts/lingshui%2Fx", false)]
    [InlineData("districts/凌水", false)]
    [InlineData("", false)]
    public void Resource_names_are_checked_for_form(string name, bool wellFormed) =>
        Assert.Equal(wellFormed, ResourceNames.IsWellFormed(name, out _));

    [Theory]
    [InlineData("districts/lingshui/enterprises/x", "districts/lingshui")]
    [InlineData("districts/lingshui", "districts/lingshui")]
    [InlineData("parks/new-park/projects/p", "parks/new-park")]
    [InlineData("scienceCity/platforms/p", "scienceCity")]
    [InlineData("scienceCity", "scienceCity")]
    [InlineData("innovationRankings/2024", null)]
    [InlineData("enterprises/x", null)]
    public void A_names_unit_is_its_first_segments(string name, string? unit)
    {
        Assert.True(ResourceNames.TryGetScope(name, out var scope, out var parsed, out _));
        Assert.Equal(unit, scope == ResourceScope.Unit ? parsed.ResourceName : null);
    }

    [Theory]
    [InlineData("districts/nowhere/x")]
    [InlineData("districts/Lingshui/x")]
    [InlineData("parks/9/x")]
    [InlineData("parks")]
    public void Names_that_start_like_a_unit_but_are_none_are_refused(string name) =>
        Assert.False(ResourceNames.TryGetScope(name, out _, out _, out _));

    [Fact]
    public void The_resource_field_is_read_as_protobuf_parsing_reads_it()
    {
        var update = FieldPath.Resolve(UpdateWidgetRequest.Descriptor, "widget.name", out _)!;
        var parent = FieldPath.Resolve(CreateWidgetRequest.Descriptor, "parent", out _)!;

        // Last occurrence wins.
        var twice = new CreateWidgetRequest { Parent = "a" }.ToByteArray().Concat(new CreateWidgetRequest { Parent = "b" }.ToByteArray()).ToArray();
        Assert.Equal(CreateWidgetRequest.Parser.ParseFrom(twice).Parent, parent.ReadFrom(twice));
        // An embedded message occurring twice is merged: a later occurrence without the field keeps the earlier value.
        var merged = new UpdateWidgetRequest { Widget = new Widget { Name = "n1" } }.ToByteArray()
            .Concat(new UpdateWidgetRequest { Widget = new Widget { DisplayName = "d" } }.ToByteArray()).ToArray();
        Assert.Equal("n1", UpdateWidgetRequest.Parser.ParseFrom(merged).Widget.Name);
        Assert.Equal("n1", update.ReadFrom(merged));
        // A field with the right number but another wire type is an unknown field to the parser, and ignored here.
        var wrongType = new byte[] { 0x08, 0x05 }.Concat(new CreateWidgetRequest { Parent = "c" }.ToByteArray()).ToArray();
        Assert.Equal("c", parent.ReadFrom(wrongType));
        Assert.Null(parent.ReadFrom([]));
        Assert.Throws<InvalidProtocolBufferException>(() => parent.ReadFrom([0x0a, 0x05, 0x61]));
    }

    [Fact]
    public void Reading_the_resource_field_agrees_with_the_parser_on_random_messages()
    {
        var path = FieldPath.Resolve(UpdateWidgetRequest.Descriptor, "widget.name", out _)!;
        var random = new Random(20_240_611);
        for (var i = 0; i < 2_000; i++)
        {
            var parts = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
            {
                var widget = new Widget { AmountFen = random.NextInt64(), Kind = (WidgetKind)random.Next(3) };
                if (random.Next(2) == 0) widget.Name = "n" + random.Next(100);
                if (random.Next(2) == 0) widget.Tags.Add("t" + random.Next(10));
                var request = new UpdateWidgetRequest();
                if (random.Next(4) > 0) request.Widget = widget;
                return request.ToByteArray();
            });
            var bytes = parts.SelectMany(p => p).ToArray();
            var parsed = UpdateWidgetRequest.Parser.ParseFrom(bytes).Widget?.Name;
            Assert.Equal(string.IsNullOrEmpty(parsed) ? null : parsed, string.IsNullOrEmpty(path.ReadFrom(bytes)) ? null : path.ReadFrom(bytes));
        }
    }

    [Fact]
    public void The_resource_field_is_discovered_by_the_naming_conventions()
    {
        Assert.Equal("name", FieldPath.Discover(GetWidgetRequest.Descriptor)!.Display);
        Assert.Equal("parent", FieldPath.Discover(CreateWidgetRequest.Descriptor)!.Display);
        Assert.Equal("widget.name", FieldPath.Discover(UpdateWidgetRequest.Descriptor)!.Display);
        Assert.Null(FieldPath.Discover(GetZoneScorecardRequest.Descriptor));
    }

    [Fact]
    public void The_shipped_allow_list_loads_and_classifies_every_method_of_its_services()
    {
        var api = TestSettings.Api;
        foreach (var service in api.AllowList.ServiceNames)
        {
            var descriptor = api.Catalog.FindService(service)!;
            foreach (var method in descriptor.Methods)
            {
                var exposed = api.AllowList.Find($"/{service}/{method.Name}");
                Assert.True(exposed is not null || api.AllowList.Hidden[service].Contains(method.Name), $"{service}/{method.Name} is not classified");
            }
        }
        Assert.Equal(AccessKind.WriteEnterprise, api.AllowList.Find("/parks.gatewaytest.v1.LedgerService/CreateEntry")!.Access);
        Assert.Equal("entry.uscc", api.AllowList.Find("/parks.gatewaytest.v1.LedgerService/CreateEntry")!.Resource!.Display);
    }

    [Theory]
    [InlineData("""{"services":{"parks.gatewaytest.v1.LedgerService":{"backend":"ledger","methods":{"GetEntry":"read"}}}}""", "CreateEntry is neither classified nor hidden")]
    [InlineData("""{"services":{"parks.gatewaytest.v1.LedgerService":{"backend":"ledger","methods":{"GetEntry":"read","CreateEntry":"write"}}}}""", "access 'write' is not one of")]
    [InlineData("""{"services":{"parks.nothing.v1.Nope":{"backend":"x","methods":{}}}}""", "not a known protobuf service")]
    [InlineData("""{"services":{"parks.gatewaytest.v1.WidgetService":{"backend":"unit","methods":{"GetWidget":"read","ListWidgets":"read","CreateWidget":"write:unit","UpdateWidget":"write:unit","DeleteWidget":"write:unit","WatchWidgets":"read","ImportWidgets":"write:unit","ResetWidgets":"write:operator","InternalSweep":"read","Missing":"read"}}}}""", "Missing does not exist")]
    [InlineData("""{"services":{"parks.gatewaytest.v1.LedgerService":{"backend":"ledger","methods":{"GetEntry":{"access":"read","rest":["GET /v1/{nope=entries/*}"]},"CreateEntry":"write:enterprise"}}}}""", "has no field 'nope'")]
    public void A_wrong_allow_list_stops_the_gateway_naming_the_problem(string document, string problem)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new GatewayApi([typeof(TestSettings).Assembly], [document]));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Access_rules_for_each_kind_of_caller()
    {
        var lingshui = new Caller("district-lingshui", CallerRole.UnitSystem, UnitRef.District("lingshui"));
        var dashboard = new Caller("dashboard", CallerRole.Dashboard, null);
        var op = new Caller("operator", CallerRole.Operator, null);
        var own = UnitRef.District("lingshui");
        var other = UnitRef.District("longtou");

        Assert.True(AccessRules.CheckResource(lingshui, AccessKind.WriteUnit, own, "districts/lingshui").Allowed);
        Assert.False(AccessRules.CheckResource(lingshui, AccessKind.WriteUnit, other, "districts/longtou").Allowed);
        Assert.False(AccessRules.CheckResource(lingshui, AccessKind.WriteUnit, null, "innovationRankings/2024").Allowed);
        Assert.True(AccessRules.CheckResource(op, AccessKind.WriteUnit, null, "innovationRankings/2024").Allowed);
        Assert.True(AccessRules.CheckResource(lingshui, AccessKind.WriteEnterprise, null, "91210200MA0000001X").Allowed);
        Assert.False(AccessRules.CheckResource(dashboard, AccessKind.WriteEnterprise, null, "91210200MA0000001X").Allowed);
        Assert.False(AccessRules.CheckMethod(lingshui, AccessKind.WriteOperator).Allowed);
        Assert.False(AccessRules.CheckMethod(lingshui, AccessKind.ReadOperator).Allowed);
        Assert.True(AccessRules.CheckMethod(dashboard, AccessKind.Read).Allowed);
    }

    [Theory]
    [InlineData("district-lingshui", "districts/lingshui")]
    [InlineData("branchpark-new-park", "parks/new-park")]
    [InlineData("sciencecity", "scienceCity")]
    public void Caller_ids_say_which_unit_a_system_acts_for(string id, string unit) =>
        Assert.Equal(unit, Parks.Gateway.Security.CallerDirectory.ParseId(id)!.Unit!.Value.ResourceName);

    [Theory]
    [InlineData("district-nowhere")]
    [InlineData("branchpark-")]
    [InlineData("admin")]
    [InlineData("operatorx")]
    public void Unknown_caller_ids_are_refused(string id) => Assert.Null(Parks.Gateway.Security.CallerDirectory.ParseId(id));

    [Fact]
    public void The_zone_scorecard_compares_the_documents_figures_with_their_targets()
    {
        var kpis = ZoneScorecard.Compute(ZoneData.LoadEmbedded().Indicators).ToDictionary(k => k.Indicator);

        var hightech = kpis["zone/indicators/hightech_enterprises"];
        Assert.Equal(2023, hightech.Latest.Year);
        Assert.Equal(1269, hightech.Latest.Quantity);
        Assert.Equal(1068, hightech.Previous.Quantity);
        Assert.Equal(2025, hightech.Target.Year);
        Assert.Equal(1500, hightech.Target.Quantity);
        Assert.Equal("000:91", hightech.Target.Src);
        Assert.Equal(1700, Assert.Single(hightech.OtherTargets).Quantity);
        Assert.Equal(84.6, hightech.CompletionPercent);
        Assert.Equal(18.82, hightech.ChangePercent);
        // 1068 (2021) → 1500 (2025) in a straight line expects 1284 in 2023: 1269 is behind.
        Assert.Equal(1284, hightech.ExpectedValue);
        Assert.False(hightech.OnTrack);

        var rd = kpis["zone/indicators/rd_to_gdp"];
        Assert.Equal(5.9, rd.Latest.Quantity);
        Assert.True(rd.OnTrack);
        Assert.Equal(118, rd.CompletionPercent);

        var contracts = kpis["zone/indicators/tech_contract_value"];
        Assert.Equal(1_468_000_000_000L, contracts.Latest.AmountFen);
        Assert.Equal(Figure.ValueOneofCase.AmountFen, contracts.Target.ValueCase);
    }
}
