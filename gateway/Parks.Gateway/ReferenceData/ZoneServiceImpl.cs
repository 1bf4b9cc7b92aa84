using System.Globalization;
using Parks.Domain;
using Parks.Gateway.Domain;
using Parks.Rpc;
using Parks.Reference.V1;

namespace Parks.Gateway.ReferenceData;

/// <summary>parks.reference.v1.ZoneService: the zone's reference figures, read-only, served by the gateway.</summary>
internal sealed class ZoneServiceImpl(ZoneData data) : ZoneService.ZoneServiceBase
{
    private readonly IReadOnlyList<ZoneKpi> _scorecard = ZoneScorecard.Compute(data.Indicators);

    public IReadOnlyList<ZoneKpi> Scorecard => _scorecard;

    public override Task<GetZoneProfileResponse> GetZoneProfile(GetZoneProfileRequest request, ServerCallContext context) =>
        Task.FromResult(new GetZoneProfileResponse { Profile = data.Profile });

    public override Task<ListZoneIndicatorsResponse> ListZoneIndicators(ListZoneIndicatorsRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0) throw new ValidationException("page_size", "must not be negative");
        var size = request.PageSize == 0 ? 1000 : Math.Min(request.PageSize, 1000);
        var start = 0;
        if (!string.IsNullOrEmpty(request.PageToken)
            && (!int.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > data.Indicators.Count))
            throw new ValidationException("page_token", "is not a page token of this list");
        var response = new ListZoneIndicatorsResponse();
        response.Indicators.AddRange(data.Indicators.Skip(start).Take(size));
        var next = start + size;
        if (next < data.Indicators.Count) response.NextPageToken = next.ToString(CultureInfo.InvariantCulture);
        return Task.FromResult(response);
    }

    public override Task<GetZoneIndicatorResponse> GetZoneIndicator(GetZoneIndicatorRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Name)) throw new ValidationException("name", "is required");
        if (!request.Name.StartsWith(ZoneData.IndicatorPrefix, StringComparison.Ordinal))
            throw new ValidationException("name", $"'{request.Name}' is not a zone indicator name (zone/indicators/{{indicator}})");
        var indicator = data.Find(request.Name) ?? throw new NotFoundException("ZoneIndicator", request.Name);
        return Task.FromResult(new GetZoneIndicatorResponse { Indicator = indicator });
    }

    public override Task<GetZoneScorecardResponse> GetZoneScorecard(GetZoneScorecardRequest request, ServerCallContext context)
    {
        var response = new GetZoneScorecardResponse();
        response.Kpis.AddRange(_scorecard);
        return Task.FromResult(response);
    }
}
