using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using MigrationPortal.Web.Hosting;

namespace MigrationPortal.Web.Tests.Telemetry;

/// <summary>The portal with one extra network allowed to scrape /metrics.</summary>
public sealed class MetricsWebFactory : PortalWebFactory
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("Telemetry:PrometheusAllowedNetworks:0", "10.20.0.0/16")];
}

public sealed class MetricsEndpointTests(MetricsWebFactory factory) : IClassFixture<MetricsWebFactory>
{
    [Theory]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("::1", HttpStatusCode.OK)]
    [InlineData("10.20.7.9", HttpStatusCode.OK)]
    [InlineData("::ffff:10.20.7.9", HttpStatusCode.OK)]
    [InlineData("10.21.0.1", HttpStatusCode.NotFound)]
    [InlineData("203.0.113.5", HttpStatusCode.NotFound)]
    public async Task Metrics_AnswersOnlyLoopbackAndAllowedNetworks_WhenScrapedAnonymously(string remote, HttpStatusCode expected)
    {
        var context = await factory.Server.SendAsync(http =>
        {
            http.Request.Method = HttpMethods.Get;
            http.Request.Path = "/metrics";
            http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        });

        Assert.Equal((int)expected, context.Response.StatusCode);
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        if (expected == HttpStatusCode.OK) Assert.Contains("# TYPE", body);
        else Assert.DoesNotContain("migrationportal_", body);
    }

    [Fact]
    public async Task Metrics_CountsTheAuditVerificationByResult_WhenAnAuditorVerifiesTheChain()
    {
        using var scraper = factory.CreateClient();
        var before = CounterValue(await scraper.GetStringAsync("/metrics"), "migrationportal_audit_verifications_total", "result=\"intact\"");

        using var auditor = factory.ClientFor("u-aldo|Aldo|Auditor");
        using (var verified = await auditor.PostAsync("/api/v1/audit/verify", null))
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);

        // The exporter caches a scrape for a moment; look again until the new count shows.
        var after = await Eventually.ValueAsync(async () => CounterValue(await scraper.GetStringAsync("/metrics"), "migrationportal_audit_verifications_total", "result=\"intact\""),
            v => v > before, TimeSpan.FromSeconds(15), "the intact verification to be counted", TimeSpan.FromMilliseconds(200));
        Assert.True(after >= before + 1, $"intact verifications went from {before} to {after}");
    }

    [Fact]
    public void TelemetryOptions_RejectsANetworkThatIsNotCidr_WhenValidated()
    {
        var options = new TelemetryOptions { PrometheusAllowedNetworks = ["10.20.0.0/16", "not-a-network"], GaugeRefreshInterval = TimeSpan.Zero };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();
        Assert.Contains(errors, e => e!.Contains("'not-a-network'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("GaugeRefreshInterval", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count);
    }

    /// <summary>Sums a metric's samples whose labels contain <paramref name="label"/>, in Prometheus' text format; 0 when absent.</summary>
    internal static double CounterValue(string exposition, string metric, string label) =>
        exposition.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
}
