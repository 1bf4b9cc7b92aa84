using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Parks.Events.V1;
using Parks.Gateway.Tests.Fakes;
using Parks.Gateway.Tests.Infrastructure;
using Parks.Hosting.Events;
using Parks.Rpc;
using Xunit.Abstractions;

namespace Parks.Gateway.Tests;

/// <summary>
/// The city dashboard in real headless Chromium (Debian's, driven by Playwright): it loads with nothing from the
/// internet, shows the documents' figures, shows an integration event as it arrives, and marks a district that
/// stops answering as degraded. Screenshots are kept under the test output's TestResults/artifacts.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Dictionary<string, BackendServer> _backends = new(StringComparer.Ordinal);
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        foreach (var name in ZoneFixture.UnitBackends.Append("talent").Append("finance"))
        {
            var log = new CallLog();
            _backends[name] = await BackendServer.StartAsync(name, rpc =>
            {
                rpc.AddService(_ => new WidgetBackend(name, log).BindService());
                foreach (var service in AnyMethodBackend.ProductServices(TestSettings.Api.AllowList))
                    rpc.AddService(_ => AnyMethodBackend.Build(TestSettings.Api.AllowList, TestSettings.Api.Catalog, service, log));
            });
        }
        _gateway = await GatewayHost.StartAsync(_backends);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var backend in _backends.Values) await backend.DisposeAsync();
    }

    [Fact]
    public async Task The_dashboard_shows_the_zone_updates_live_and_marks_a_stopped_district()
    {
        using var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("parks-chromium-");
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile.FullName, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            ViewportSize = new ViewportSize { Width = 1440, Height = 1800 },
        });
        browser.SetDefaultTimeout(30_000);
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        var problems = new List<string>();
        var outside = new List<string>();
        page.PageError += (_, error) => problems.Add("page error: " + error);
        page.Console += (_, message) => { if (message.Type == "error") problems.Add("console: " + message.Text); };
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(_gateway.HttpAddress, StringComparison.Ordinal)) await route.ContinueAsync();
            else
            {
                outside.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });

        try
        {
            // The dashboard's key in the fragment opens a read-only session.
            await page.GotoAsync($"{_gateway.HttpAddress}/#key={_gateway.Keys["dashboard"]}");
            await page.WaitForSelectorAsync("body[data-ready='true']");

            // The documents' figures: 1,269 high-tech enterprises at the end of 2023 against more than 1,500 by 2025.
            var card = page.Locator("#kpi-hightech_enterprises");
            Assert.Equal("1,269", (await card.Locator(".value").InnerTextAsync()).Trim());
            Assert.Contains("1,500", await card.Locator(".target-value").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("000:152", await card.Locator(".as-of").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("84.6%", await card.Locator(".completion").InnerTextAsync(), StringComparison.Ordinal);
            Assert.True(await page.EvaluateAsync<bool>("() => typeof window.echarts === 'object'"), "echarts is served by the gateway");
            await page.WaitForSelectorAsync("#pyramid svg");
            Assert.Equal(11, await page.Locator("#league tbody tr").CountAsync());
            Assert.Equal("FRESHNESS_CURRENT", await page.Locator("#map .unit[data-unit='districts/longtou']").GetAttributeAsync("data-freshness"));
            await ScreenshotAsync(page, "1-loaded");

            // An integration event reaches the page through the event bus, the shared feed and Server-Sent Events.
            var outbox = _gateway.Services.GetRequiredService<IEventOutbox>();
            var name = $"Feed Test Co {Guid.NewGuid():N}"[..24];
            await outbox.PublishAsync(new EnterpriseRegistered { Uscc = "91210200MA0000099X", Unit = "districts/lingshui", DisplayName = name, Enterprise = "districts/lingshui/enterprises/91210200MA0000099X" }, "districts/lingshui/enterprises/91210200MA0000099X");
            await page.Locator("#feed li", new PageLocatorOptions { HasTextString = name }).WaitForAsync();
            await ScreenshotAsync(page, "2-event-arrived");

            // A district that stops answering is shown degraded, with the time of its last good figures.
            await _backends["district-longtou"].StopAsync();
            await page.WaitForSelectorAsync("#league tr[data-unit='districts/longtou'][data-freshness='FRESHNESS_DEGRADED']");
            await page.WaitForSelectorAsync("#map .unit[data-unit='districts/longtou'][data-freshness='FRESHNESS_DEGRADED']");
            await page.WaitForSelectorAsync("#warnings .warning[data-subject='districts/longtou']");
            Assert.Contains("degraded", await page.Locator("#league tr[data-unit='districts/longtou']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal("FRESHNESS_CURRENT", await page.Locator("#league tr[data-unit='districts/lingshui']").GetAttributeAsync("data-freshness"));
            await ScreenshotAsync(page, "3-district-degraded");
        }
        catch
        {
            await ScreenshotAsync(page, "failure");
            throw;
        }
        finally
        {
            profile.Delete(recursive: true);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(outside.Count == 0, "requests outside the gateway: " + string.Join(", ", outside));
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Repo.ArtifactsDir, $"dashboard-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        Console.WriteLine($"screenshot: {path}");
    }
}
