using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Telemetry;

/// <summary>
/// The portal on Kestrel (loopback, a free port) with Hangfire's workers on and the database gauges read every second,
/// scraped by a real Prometheus server (Debian's prometheus package) that this fixture starts on loopback with its own
/// configuration and data folder, and kills at the end. A missing prometheus binary fails the test: scripts/test.sh
/// installs it.
/// </summary>
public sealed class PrometheusWebFactory : PortalWebFactory, IAsyncLifetime
{
    private const string Binary = "/usr/bin/prometheus";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"mp-prometheus-{Guid.NewGuid():N}");
    private Process? _prometheus;
    private readonly System.Text.StringBuilder _log = new();

    public PrometheusWebFactory() => UseKestrel(0);

    public HttpClient Prometheus { get; private set; } = null!;

    protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
    [
        ("Hangfire:ServerEnabled", "true"),
        ("Hangfire:WorkerCount", "2"),
        ("Hangfire:QueuePollInterval", "00:00:00.500"),
        ("Demo:MigrationDuration", "00:00:02"),
        ("Telemetry:GaugeRefreshInterval", "00:00:01"),
    ];

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: scripts/test.sh installs Debian's prometheus package (apt-get install prometheus).");
        StartServer();
        var portal = ClientOptions.BaseAddress;
        Directory.CreateDirectory(_folder);
        var config = Path.Combine(_folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: portal
                metrics_path: /metrics
                static_configs:
                  - targets: ['{portal.Host}:{portal.Port}']
            """);

        var port = FreePort();
        _prometheus = Process.Start(new ProcessStartInfo(Binary)
        {
            ArgumentList =
            {
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_folder, "data")}", $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        _prometheus.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _prometheus.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _prometheus.BeginErrorReadLine();
        _prometheus.BeginOutputReadLine();
        Prometheus = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () =>
            {
                if (_prometheus.HasExited) throw new InvalidOperationException($"prometheus exited with {_prometheus.ExitCode}: {Log}");
                try
                {
                    using var ready = await Prometheus.GetAsync("/-/ready");
                    return ready.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "prometheus to be ready", TimeSpan.FromMilliseconds(250), () => Task.FromResult(Log));
    }

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>The result of a PromQL instant query: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await Prometheus.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"PromQL {promql} answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => (r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The single value of a PromQL expression that sums to one series; 0 when there is no series yet.</summary>
    public async Task<double> ScalarAsync(string promql) => (await QueryAsync(promql)).Sum(r => r.Value);

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill(entireProcessTree: true);
            await _prometheus.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _prometheus?.Dispose();
        Prometheus?.Dispose();
        await base.DisposeAsync();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

public sealed class PrometheusServerTests(PrometheusWebFactory factory) : IClassFixture<PrometheusWebFactory>
{
    private static readonly TimeSpan Scraped = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Prometheus_SeesTheCounterRiseAndTheHistogramFill_WhenADemoMigrationRuns()
    {
        // Prometheus scrapes the portal (up == 1) before anything runs; the gauges read from the database are there too.
        await Eventually.TrueAsync(async () => await factory.ScalarAsync("up{job=\"portal\"}") == 1, Scraped, "prometheus to scrape the portal",
            TimeSpan.FromMilliseconds(500), () => Task.FromResult(factory.Log));
        // A sync of the demo connection (queued, run by Hangfire) gives it a sync age, labelled with its name.
        string demo;
        Guid demoId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var connection = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Connections.AsNoTracking()
                .FirstAsync(c => c.Endpoint == MigrationPortal.Infrastructure.Connectors.Demo.DemoWorldShape.Endpoint);
            (demo, demoId) = (connection.Name, connection.Id);
        }

        using (var operatorClient = DemoMigration.Client(factory, "u-olga|Olga|Operator"))
        using (var sync = await operatorClient.PostAsync($"/api/v1/connections/{demoId}/sync", null))
            Assert.Equal(HttpStatusCode.Accepted, sync.StatusCode);
        await Eventually.TrueAsync(async () => (await factory.QueryAsync("migrationportal_connection_sync_age_seconds")).Any(r => r.Value >= 0 && r.Labels.GetValueOrDefault("connection") == demo),
            Scraped, $"the sync age of connection {demo}", TimeSpan.FromMilliseconds(500));
        Assert.Contains(await factory.QueryAsync("migrationportal_approvals_waiting"), r => r.Labels.GetValueOrDefault("kind") == "Compute");

        const string succeeded = "sum(migrationportal_migrations_finished_total{outcome=\"Succeeded\",kind=\"Compute\"})";
        const string durations = "sum(migrationportal_migration_duration_seconds_count{outcome=\"Succeeded\",kind=\"Compute\"})";
        var before = await factory.ScalarAsync(succeeded);
        var countBefore = await factory.ScalarAsync(durations);

        var (id, state) = await DemoMigration.RunAsync(factory, "Prometheus: a scraped demo migration");
        Assert.Equal("Succeeded", state);

        var after = await Eventually.ValueAsync(() => factory.ScalarAsync(succeeded), v => v > before, Scraped, $"the Succeeded counter to rise past {before} after request {id}",
            TimeSpan.FromMilliseconds(500));
        Assert.True(after >= before + 1, $"Succeeded migrations went from {before} to {after}");
        var count = await Eventually.ValueAsync(() => factory.ScalarAsync(durations), v => v > countBefore, Scraped, "the duration histogram to count the run", TimeSpan.FromMilliseconds(500));
        Assert.True(count >= countBefore + 1);

        // The histogram filled: the demo move took about 2 s, so the 5 s bucket holds it and the median is a real number below it.
        var buckets = await factory.QueryAsync("sum by (le) (migrationportal_migration_duration_seconds_bucket{outcome=\"Succeeded\",kind=\"Compute\"})");
        Assert.Contains(buckets, b => double.TryParse(b.Labels["le"], CultureInfo.InvariantCulture, out var le) && le == 5 && b.Value >= 1);
        var median = await factory.ScalarAsync("histogram_quantile(0.5, sum by (le) (migrationportal_migration_duration_seconds_bucket{outcome=\"Succeeded\",kind=\"Compute\"}))");
        Assert.InRange(median, 0.0, 5.0);
        Assert.True(await factory.ScalarAsync("sum(migrationportal_migration_queue_wait_seconds_count{kind=\"Compute\"})") >= 1, "the queue wait of the started run");
        // The run was in flight while it ran (scraped every second; the demo move lasts 2 s), labelled with its connection.
        var inFlight = await factory.QueryAsync("max_over_time(migrationportal_migrations_in_flight{kind=\"Compute\"}[5m])");
        Assert.Contains(inFlight, r => r.Value >= 1 && r.Labels.ContainsKey("connection"));
    }
}
