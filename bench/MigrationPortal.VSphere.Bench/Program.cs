using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.Infrastructure.Persistence;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// vSphere benchmarks against the lab simulator (tests/lab/vcsim), both measured against a baseline in this same run:
//  1. Inventory sync of 10,000 VMs / 200 hosts through the portal's SyncInventory use case (vim25 client, parsing,
//     batched database write) divided by one raw RetrievePropertiesEx of the same properties (bytes read, not parsed).
//  2. Orchestration overhead with 2 s relocate tasks: the portal's request start -> Succeeded (RunMigration: precheck,
//     migrateEncryption, RelocateVM_Task followed by WaitForUpdatesEx, verify) divided by the lab's govmomi relocate-client.
// Usage: bench/vsphere.sh [clusters=20] [hostsPerCluster=10] [vmsPerCluster=500] [rounds=3]
// Needs VCSIM_BIN and RELOCATE_CLIENT_BIN (bench/vsphere.sh builds them).

var argsList = args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
int clusters = argsList.ElementAtOrDefault(0) is > 0 and var c ? c : 20, hostsPer = argsList.ElementAtOrDefault(1) is > 0 and var h ? h : 10,
    vmsPer = argsList.ElementAtOrDefault(2) is > 0 and var v ? v : 500, rounds = argsList.ElementAtOrDefault(3) is > 0 and var r ? r : 3;
var simulatorBinary = Environment.GetEnvironmentVariable("VCSIM_BIN") ?? throw new InvalidOperationException("Set VCSIM_BIN (bench/vsphere.sh does).");
var relocateClient = Environment.GetEnvironmentVariable("RELOCATE_CLIENT_BIN") ?? throw new InvalidOperationException("Set RELOCATE_CLIENT_BIN (bench/vsphere.sh does).");
const string User = "administrator@vsphere.local", Password = "Bench-s3cret!";

var work = Directory.CreateTempSubdirectory("vsphere-bench-").FullName;
var certFile = Path.Combine(work, "cert.pem");
Console.WriteLine($"Starting the simulator: {clusters} clusters x {hostsPer} hosts, {clusters * vmsPer:N0} VMs ...");
var startWatch = Stopwatch.StartNew();
var start = new ProcessStartInfo(simulatorBinary) { RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in new[] { "-listen", "127.0.0.1:0", "-tls", "-tls-keygen", "-cert-out", certFile, "-username", User, "-password", Password,
             "-cluster", clusters.ToString(CultureInfo.InvariantCulture), "-host", hostsPer.ToString(CultureInfo.InvariantCulture), "-vm", vmsPer.ToString(CultureInfo.InvariantCulture),
             "-ds", "2", "-task-duration", "2s", "-tmpdir", work, "-quiet" }) start.ArgumentList.Add(a);
start.Environment["TMPDIR"] = work;
using var simulator = Process.Start(start)!;
simulator.ErrorDataReceived += (_, _) => { };
simulator.BeginErrorReadLine();
string? ready = null;
while (ready is null && await simulator.StandardOutput.ReadLineAsync() is { } line)
    if (line.StartsWith("READY ", StringComparison.Ordinal)) ready = line[6..].Trim();
if (ready is null) throw new InvalidOperationException("The simulator exited before READY.");
Console.WriteLine($"  READY after {startWatch.Elapsed.TotalSeconds:F1} s at {ready}");
var sdk = new Uri(ready);
using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certFile));
var thumbprint = Convert.ToHexString(SHA256.HashData(certificate.RawData));
var database = Path.Combine(work, "portal.db");

// BENCH_TELEMETRY=1: the portal's telemetry on, as the web host turns it on (Hosting/Telemetry.cs): the portal's spans and
// meter, HttpClient (vim25) and EF Core spans, every span and metric handed to an exporter (here one that drops them, so
// what is measured is recording and export, not a collector's network).
var telemetryOn = Environment.GetEnvironmentVariable("BENCH_TELEMETRY") == "1";
using var tracer = telemetryOn
    ? OpenTelemetry.Sdk.CreateTracerProviderBuilder()
        .AddSource(MigrationPortal.Application.Telemetry.PortalTelemetry.Name, MigrationPortal.Infrastructure.Connectors.Libvirt.LibvirtTelemetry.SourceName)
        .AddHttpClientInstrumentation().AddEntityFrameworkCoreInstrumentation()
        .AddProcessor(new OpenTelemetry.BatchActivityExportProcessor(new DropSpans())).Build()
    : null;
using var meters = telemetryOn
    ? OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddMeter(MigrationPortal.Application.Telemetry.PortalTelemetry.Name).AddHttpClientInstrumentation()
        .AddReader(new OpenTelemetry.Metrics.PeriodicExportingMetricReader(new DropMetrics(), 5000)).Build()
    : null;
Console.WriteLine($"Telemetry: {(telemetryOn ? "on (BENCH_TELEMETRY=1)" : "off")}");

try
{
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["Database:ConnectionString"] = $"Data Source={database}",
        ["Demo:Enabled"] = "false",
    }).Build();
    await using var services = new ServiceCollection()
        .AddSingleton<IConfiguration>(configuration)
        .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
        .AddPortalInfrastructure(configuration)
        .AddPortalUseCases()
        .AddScoped<IMigrationJobs, NoJobs>()
        .BuildServiceProvider();
    var admin = new PortalUser("bench-admin", "Bench Admin", new HashSet<string> { Roles.Administrator }, new HashSet<string>());
    async Task<T> Scoped<TService, T>(Func<TService, Task<T>> action) where TService : notnull
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    await Scoped<DatabaseInitializer, bool>(async i => { await i.InitializeAsync(); return true; });
    var connection = await Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(admin,
        new SaveConnection.Command(null, "bench", ConnectionKinds.VSphere, sdk.ToString(), User, Password, thumbprint, false)));
    await Scoped<SetApprovalRules, bool>(async u => { await u.HandleAsync(admin, [new SetApprovalRules.Rule("auto", ApprovalOutcome.AutoApprove)]); return true; });

    // ---- 1. inventory sync against one raw RetrievePropertiesEx ---------------------------------------------------
    Console.WriteLine();
    Console.WriteLine("Inventory sync");
    var raw = new List<double>();
    var firstSync = 0.0;
    var resyncs = new List<double>();
    SyncInventory.Result? synced = null;
    long rawBytes = 0;
    for (var round = 0; round < rounds; round++)
    {
        (var seconds, rawBytes) = await RawRetrieveAsync(sdk, thumbprint);
        raw.Add(seconds);
        // The connector alone (read + parse, no database), to show where the rest of the sync's time goes.
        var planner = services.CreateScope().ServiceProvider.GetRequiredService<MigrationPlanner>();
        var info = await planner.ConnectionInfoAsync(connection.Id, CancellationToken.None);
        var collectWatch = Stopwatch.StartNew();
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredKeyedService<IHypervisorConnector>(ConnectionKinds.VSphere).CollectInventoryAsync(info, CancellationToken.None);
        var collect = collectWatch.Elapsed.TotalSeconds;
        var watch = Stopwatch.StartNew();
        synced = await Scoped<SyncInventory, SyncInventory.Result>(u => u.HandleAsync(admin, connection.Id));
        if (round == 0) firstSync = watch.Elapsed.TotalSeconds;
        else resyncs.Add(watch.Elapsed.TotalSeconds);
        Console.WriteLine($"  round {round + 1}: raw RetrievePropertiesEx {seconds:F2} s ({rawBytes / 1e6:F1} MB), connector read+parse {collect:F2} s, portal sync {watch.Elapsed.TotalSeconds:F2} s{(round == 0 ? " (empty database: all inserts)" : " (re-sync)")}");
    }

    var rawMedian = Median(raw);
    var resyncMedian = resyncs.Count > 0 ? Median(resyncs) : firstSync;
    Console.WriteLine($"  synced {synced!.Vms:N0} VMs, {synced.Hosts} hosts, {synced.Datastores} datastores, {synced.Clusters} clusters");
    Console.WriteLine($"  RESULT inventory: raw median {rawMedian:F2} s; first sync {firstSync:F2} s = {firstSync / rawMedian:F2}x; re-sync median {resyncMedian:F2} s = {resyncMedian / rawMedian:F2}x (target < 4x and < 5 s)");

    // ---- 2. orchestration overhead with 2 s tasks --------------------------------------------------------------------
    Console.WriteLine();
    Console.WriteLine("Orchestration overhead (RelocateVM_Task takes 2 s; other lab tasks finish at once; no snapshot, encryption required)");
    await SetLabConfigAsync(sdk, thumbprint, """{"taskDuration":"0s","methodDurations":{"RelocateVM_Task":"2s"}}""");
    var vmName = "DC0_C0_RP0_VM0";
    var portalTimes = new List<double>();
    var clientTimes = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        // The lab's govmomi client: one RelocateVM_Task followed with task.Wait (WaitForUpdatesEx).
        var clientHost = await HostOfAsync(sdk, thumbprint, vmName);
        var clientTarget = OtherHost(clientHost);
        var ms = await RelocateClientAsync(relocateClient, sdk, thumbprint, vmName, clientTarget);
        clientTimes.Add(ms / 1000.0);

        // The portal: a request for the same VM, run by the migration job.
        await Scoped<SyncInventory, SyncInventory.Result>(u => u.HandleAsync(admin, connection.Id));
        var vm = await Scoped<PortalDbContext, InventoryVm>(db => db.Vms.AsNoTracking().FirstAsync(x => x.Name == vmName));
        var target = OtherHost(vm.HostName!);
        var targetId = await Scoped<PortalDbContext, string>(db => db.Hosts.Where(x => x.Name == target).Select(x => x.ExternalId).FirstAsync());
        var request = await Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(admin,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, targetId, null, "benchmark", TakeSnapshot: false)));
        await Scoped<DispatchDueRequests, bool>(async d => { await d.HandleAsync(); return true; });
        var watch = Stopwatch.StartNew();
        await Scoped<RunMigration, bool>(async m => { await m.HandleAsync(request.Id); return true; });
        var elapsed = watch.Elapsed.TotalSeconds;
        var state = await Scoped<PortalDbContext, MigrationRequest>(db => db.Requests.AsNoTracking().FirstAsync(x => x.Id == request.Id));
        if (state.State != RequestState.Succeeded) throw new InvalidOperationException($"Benchmark request ended {state.State}: {state.FailureReason}");
        portalTimes.Add(elapsed);
        Console.WriteLine($"  round {round + 1}: relocate-client {ms / 1000.0:F3} s, portal request start -> Succeeded {elapsed:F3} s");
    }

    Console.WriteLine($"  RESULT orchestration: portal median {Median(portalTimes):F3} s / relocate-client median {Median(clientTimes):F3} s = {Median(portalTimes) / Median(clientTimes):F3}x (target <= 1.10)");
}
finally
{
    _ = Kill(simulator.Id, 15);
    simulator.WaitForExit(30_000);
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    try { Directory.Delete(work, true); } catch (IOException) { }
}

static string OtherHost(string host) => host.EndsWith("_H0", StringComparison.Ordinal) ? host[..^1] + "1" : host[..^1] + "0";

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static HttpClient Http(string thumbprint) => new(new HttpClientHandler
{
    CookieContainer = new CookieContainer(),
    ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && Convert.ToHexString(SHA256.HashData(cert.RawData)) == thumbprint,
}) { Timeout = TimeSpan.FromMinutes(5) };

// The baseline: the same property specification the portal's reader sends, as one RetrievePropertiesEx, body read to the end.
static async Task<(double Seconds, long Bytes)> RawRetrieveAsync(Uri sdk, string thumbprint)
{
    using var http = Http(thumbprint);
    async Task<string> Soap(string body)
    {
        using var content = new StringContent($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>", Encoding.UTF8, "text/xml");
        content.Headers.Add("SOAPAction", "urn:vim25/6.5");
        using var response = await http.PostAsync(sdk, content);
        return await response.Content.ReadAsStringAsync();
    }

    await Soap($"<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>{User}</userName><password>{Password}</password></Login>");
    var types = string.Concat(VSphereInventoryReader.Properties.Keys.Select(t => $"<type>{t}</type>"));
    var view = Regex.Match(await Soap($"<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">ViewManager</_this><container type=\"Folder\">group-d1</container>{types}<recursive>true</recursive></CreateContainerView>"),
        "<returnval type=\"ContainerView\">([^<]+)</returnval>").Groups[1].Value;
    var propSets = string.Concat(VSphereInventoryReader.Properties.Select(p => $"<propSet><type>{p.Key}</type>{string.Concat(p.Value.Select(x => $"<pathSet>{x}</pathSet>"))}</propSet>"));
    var watch = Stopwatch.StartNew();
    var body = await Soap($"<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet>{propSets}<objectSet><obj type=\"ContainerView\">{view}</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options/></RetrievePropertiesEx>");
    var seconds = watch.Elapsed.TotalSeconds;
    if (body.Contains("<token>", StringComparison.Ordinal)) throw new InvalidOperationException("The simulator paged the raw call; the baseline must be one call.");
    return (seconds, Encoding.UTF8.GetByteCount(body));
}

static async Task SetLabConfigAsync(Uri sdk, string thumbprint, string json)
{
    using var http = Http(thumbprint);
    using var response = await http.PostAsync(new Uri(sdk, "/lab/config"), new StringContent(json, Encoding.UTF8, "application/json"));
    response.EnsureSuccessStatusCode();
}

static async Task<string> HostOfAsync(Uri sdk, string thumbprint, string vm)
{
    using var http = Http(thumbprint);
    var json = await http.GetStringAsync(new Uri(sdk, $"/lab/vm?name={vm}"));
    return System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("host").GetProperty("name").GetString()!;
}

static async Task<double> RelocateClientAsync(string binary, Uri sdk, string thumbprint, string vm, string host)
{
    var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "-url", sdk.ToString(), "-u", User, "-p", Password, "-thumbprint", string.Join(':', Enumerable.Range(0, thumbprint.Length / 2).Select(i => thumbprint.Substring(i * 2, 2))), "-vm", vm, "-host", host })
        start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    var error = await process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    var match = Regex.Match(output, @"relocate_ms=(\d+)");
    if (process.ExitCode != 0 || !match.Success) throw new InvalidOperationException($"relocate-client failed: {output} {error}");
    return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
}

[System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
static extern int Kill(int pid, int signal);

internal sealed class NoJobs : IMigrationJobs
{
    public void EnqueueSync(Guid connectionId) { }

    public void EnqueueRun(Guid requestId)
    {
    }

    public void NudgeDispatcher()
    {
    }
}

/// <summary>An exporter that takes every span and keeps none.</summary>
internal sealed class DropSpans : OpenTelemetry.BaseExporter<Activity>
{
    public override OpenTelemetry.ExportResult Export(in OpenTelemetry.Batch<Activity> batch) => OpenTelemetry.ExportResult.Success;
}

/// <summary>An exporter that takes every metric reading and keeps none.</summary>
internal sealed class DropMetrics : OpenTelemetry.BaseExporter<OpenTelemetry.Metrics.Metric>
{
    public override OpenTelemetry.ExportResult Export(in OpenTelemetry.Batch<OpenTelemetry.Metrics.Metric> batch) => OpenTelemetry.ExportResult.Success;
}
