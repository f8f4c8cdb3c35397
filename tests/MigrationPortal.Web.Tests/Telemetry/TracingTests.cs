using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Telemetry;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using MigrationPortal.Infrastructure.Persistence;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MigrationPortal.Web.Tests.Telemetry;

/// <summary>The portal with Hangfire's workers on and tracing on, every finished span kept by OpenTelemetry's in-memory exporter.</summary>
public sealed class TracingWebFactory : PortalWebFactory
{
    /// <summary>Every span any test in this process made on the sources the portal listens to (other factories' too: filter by trace).</summary>
    public ConcurrentQueue<Activity> Spans { get; } = new();

    protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
    [
        ("Hangfire:ServerEnabled", "true"),
        ("Hangfire:WorkerCount", "2"),
        ("Hangfire:QueuePollInterval", "00:00:00.500"),
        ("Demo:MigrationDuration", "00:00:02"),
        ("Telemetry:Tracing", "true"),
    ];

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(Spans))));

    /// <summary>The in-memory exporter's idea, on a thread-safe queue: spans end on many threads at once here.</summary>
    private sealed class QueueExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var span in batch) spans.Enqueue(span);
            return ExportResult.Success;
        }
    }
}

public sealed class TracingTests(TracingWebFactory factory) : IClassFixture<TracingWebFactory>
{
    [Fact]
    public async Task MigrationRun_IsOneTraceWithASpanPerItineraryStepAndEfCoreSpans_WhenADemoMigrationRuns()
    {
        var (id, state) = await DemoMigration.RunAsync(factory, "Tracing: one trace per run");
        Assert.Equal("Succeeded", state);

        Dictionary<string, string> steps;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var request = await db.Requests.Include(r => r.Steps).AsNoTracking().FirstAsync(r => r.Id == id);
            steps = request.Steps.ToDictionary(s => s.Name, s => s.Status.ToString());
        }

        Assert.NotEmpty(steps);
        // The run that moved the VM (a job that found the request already finished would make a run span with no outcome).
        var run = await Eventually.ValueAsync(() => Task.FromResult(factory.Spans.FirstOrDefault(s => s.OperationName == "migration run"
                && (string?)s.GetTagItem("migration.request_id") == id.ToString() && s.GetTagItem("migration.outcome") is not null)),
            s => s is not null, TimeSpan.FromSeconds(10), $"the run span of request {id}");
        Assert.Equal(PortalTelemetry.Name, run!.Source.Name);
        // A run is the root of its own trace: the Hangfire job, not the HTTP call that queued it.
        Assert.Equal(default(ActivitySpanId), run.ParentSpanId);
        Assert.Equal("Succeeded", run.GetTagItem("migration.outcome"));
        Assert.Equal("Compute", run.GetTagItem("migration.kind"));

        var inTrace = factory.Spans.Where(s => s.TraceId == run.TraceId).ToList();
        var stepSpans = inTrace.Where(s => s.Source.Name == PortalTelemetry.Name && s.OperationName.StartsWith("step ", StringComparison.Ordinal)).ToList();
        Assert.All(stepSpans, s => Assert.Equal(run.SpanId, s.ParentSpanId));
        // One span per step row, each ended as its row says (a new run makes a row only for a step it runs).
        Assert.Equal(steps.OrderBy(p => p.Key), stepSpans.ToDictionary(s => (string)s.GetTagItem("migration.step")!, s => (string)s.GetTagItem("migration.step.status")!).OrderBy(p => p.Key));
        // The run's database work is traced inside the run (EF Core instrumentation), under the run or one of its steps.
        Assert.Contains(inTrace, s => s.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal) && s.Kind == ActivityKind.Client);
    }

    [Fact]
    public async Task ApiCall_IsAnAspNetCoreServerSpan_WhenTracingIsOn()
    {
        using var client = factory.ClientFor(DemoMigration.Requester);
        // A path of its own (query values are redacted in spans), so this test finds its span among the others.
        var path = $"/api/v1/requests/{Guid.NewGuid()}";
        using var response = await client.GetAsync(path);
        var span = await Eventually.ValueAsync(() => Task.FromResult(factory.Spans.FirstOrDefault(s =>
                s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server && (string?)s.GetTagItem("url.path") == path)),
            s => s is not null, TimeSpan.FromSeconds(10), $"the server span of GET {path}");
        Assert.Equal("GET", span!.GetTagItem("http.request.method"));
        Assert.Equal((int)response.StatusCode, span.GetTagItem("http.response.status_code"));
    }

    [Fact]
    public async Task VSphereCall_IsAnHttpClientSpan_AndLibvirtCallIsAnErrorSpanOfOurOwn_WhenTheHostRefuses()
    {
        var port = ClosedPort();
        await using var scope = factory.Services.CreateAsyncScope();
        var connectors = scope.ServiceProvider.GetRequiredService<IConnectorResolver>();

        var vsphere = new ConnectionInfo(Guid.NewGuid(), "vc-refusing", ConnectionKinds.VSphere, $"https://127.0.0.1:{port}/sdk", "svc", "secret", null, false);
        await AttemptAsync(() => connectors.Resolve(ConnectionKinds.VSphere).TestConnectionAsync(vsphere, CancellationToken.None));
        var http = await Eventually.ValueAsync(() => Task.FromResult(factory.Spans.FirstOrDefault(s =>
                s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client && Equals(s.GetTagItem("server.port"), port))),
            s => s is not null, TimeSpan.FromSeconds(10), $"the HttpClient span of the vim25 call to port {port}");
        Assert.Equal(ActivityStatusCode.Error, http!.Status);

        var libvirt = new ConnectionInfo(Guid.NewGuid(), "kvm-refusing", ConnectionKinds.Libvirt, $"qemu+tcp://127.0.0.1:{port}/system", null, null, null, false);
        await AttemptAsync(() => connectors.Resolve(ConnectionKinds.Libvirt).TestConnectionAsync(libvirt, CancellationToken.None));
        var call = await Eventually.ValueAsync(() => Task.FromResult(factory.Spans.FirstOrDefault(s =>
                s.Source.Name == LibvirtTelemetry.SourceName && s.OperationName == "libvirt TestConnectionAsync" && s.StartTimeUtc >= http.StartTimeUtc)),
            s => s is not null, TimeSpan.FromSeconds(10), "the libvirt span of the connection test");
        Assert.Equal(ActivityKind.Client, call!.Kind);
        Assert.Equal(ActivityStatusCode.Error, call.Status);
        Assert.NotNull(call.GetTagItem("error.type"));
    }

    /// <summary>A connection test against a refusing host: it fails (as a result or a fault); what matters here is its span.</summary>
    private static async Task AttemptAsync(Func<Task<ConnectionTestResult>> test)
    {
        try
        {
            var result = await test();
            Assert.False(result.Succeeded, result.Message);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
        }
    }

    /// <summary>A loopback port nothing listens on: taken, then freed.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
