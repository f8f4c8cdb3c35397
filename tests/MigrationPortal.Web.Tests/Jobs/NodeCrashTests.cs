using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using Npgsql;

namespace MigrationPortal.Web.Tests.Jobs;

/// <summary>
/// Two real portal processes (the built MigrationPortal.Web, Hangfire workers on) share one fresh PostgreSQL database.
/// 32 demo migrations run across both; one process is killed with SIGKILL mid-transfer. Every request the dead process
/// held must be taken over by the live one within 60 s of the kill (default lease settings), every request must
/// succeed with its transfer started exactly once, and Hangfire must be left with no failed and no ghost jobs.
/// A missing PostgreSQL server is a failure, never a skip.
/// </summary>
public sealed class NodeCrashTests : IAsyncLifetime
{
    private const int Requests = 32;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly PortalUser Admin = TestUsers.Admin;
    private static readonly PortalUser Requester = TestUsers.Requester;

    private readonly List<PortalNode> _nodes = [];
    private string _connectionString = "";
    private Func<Task>? _drop;
    private TestPortal? _client;

    public async Task InitializeAsync()
    {
        (var database, _drop) = await TestDatabases.CreateAsync(DatabaseProvider.PostgreSql);
        // Each node gets a bounded pool, so two nodes and this test fit in the CI server's connection limit.
        _connectionString = new NpgsqlConnectionStringBuilder(database) { MaxPoolSize = 60 }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        if (_client is not null) await _client.DisposeAsync();
        if (_drop is not null) await _drop();
    }

    [Fact]
    public async Task KilledNode_RequestsItHeldResumeOnTheLiveNodeWithinTheBound_AndEveryTransferStartsOnce()
    {
        var nodeA = await StartNodeAsync("node-a");
        await StartNodeAsync("node-b");
        _client = await ClientAsync();
        var ids = await SubmitMigrationsAsync();

        // All in flight: every request is Running with its transfer started, and each run holds its lease.
        await EventuallyAsync(async () => await CountAsync(db => db.Requests.CountAsync(r => ids.Contains(r.Id) && r.State == RequestState.Running && r.OperationId != null)) == Requests
            && await CountAsync(db => db.RunLeases.CountAsync(l => ids.Contains(l.RequestId))) == Requests, TimeSpan.FromSeconds(90), "every request running under a lease");

        nodeA.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var heldByA = await Query(db => db.RunLeases.Where(l => l.Owner == "node-a" && db.Requests.Any(r => r.Id == l.RequestId && r.State != RequestState.Succeeded))
            .Select(l => l.RequestId).ToListAsync());
        Assert.True(heldByA.Count > 0, "The killed node held no request at the kill; the test proves nothing. " + Logs());

        await EventuallyAsync(async () => await CountAsync(db => db.Requests.CountAsync(r => ids.Contains(r.Id) && r.State == RequestState.Succeeded)) == Requests,
            TimeSpan.FromSeconds(150), "every request Succeeded");

        // Each transfer started exactly once: one demo hypervisor task and one "Transfer started" audit event per request.
        var vmExternalIds = await Query(db => db.Requests.Where(r => ids.Contains(r.Id)).Join(db.Vms, r => r.VmId, v => v.Id, (r, v) => v.ExternalId).ToListAsync());
        var tasksPerVm = await Query(db => db.DemoTasks.Where(t => vmExternalIds.Contains(t.VmId)).GroupBy(t => t.VmId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        Assert.Equal(Requests, tasksPerVm.Count);
        Assert.All(tasksPerVm, t => Assert.Equal(1, t.Count));
        var startsPerRequest = await Query(db => db.AuditEvents.Where(e => e.RequestId != null && ids.Contains(e.RequestId.Value) && e.Details.Contains("Transfer started as hypervisor operation"))
            .GroupBy(e => e.RequestId).Select(g => g.Count()).ToListAsync());
        Assert.Equal(Requests, startsPerRequest.Count);
        Assert.All(startsPerRequest, n => Assert.Equal(1, n));

        // Every request the dead node held was taken over by the live node within the bound.
        var takeOvers = await Query(db => db.AuditEvents.Where(e => e.RequestId != null && heldByA.Contains(e.RequestId.Value) && e.Details.Contains("Taken over by node node-b"))
            .Select(e => new { e.RequestId, e.At }).ToListAsync());
        var resumedAfter = heldByA.ToDictionary(id => id, id => takeOvers.Where(t => t.RequestId == id).Select(t => (TimeSpan?)(t.At - killedAt)).Min());
        Assert.All(resumedAfter, r => Assert.True(r.Value is { } after && after <= Bound, $"Request {r.Key} resumed after {r.Value?.TotalSeconds.ToString("0.0") ?? "never"} s (bound {Bound.TotalSeconds} s)."));
        Console.WriteLine($"[NodeCrashTests] node-a held {heldByA.Count} of {Requests}; resumed after {resumedAfter.Values.Min()!.Value.TotalSeconds:0.0}–{resumedAfter.Values.Max()!.Value.TotalSeconds:0.0} s.");

        // Hangfire: nothing Failed, and the dead node's jobs do not stay "Processing" (a live node fetches them again).
        await EventuallyAsync(async () => await HangfireCountAsync("statename = 'Processing' AND invocationdata::text LIKE '%RunMigrationAsync%'") == 0,
            TimeSpan.FromSeconds(90), "no run job left Processing");
        Assert.Equal(0, await HangfireCountAsync("statename = 'Failed'"));
    }

    private async Task<PortalNode> StartNodeAsync(string name)
    {
        var node = PortalNode.Start(name, new Dictionary<string, string>
        {
            ["Database__Provider"] = "PostgreSql",
            ["Database__ConnectionString"] = _connectionString,
            ["Demo__MigrationDuration"] = "00:00:25",
            ["Execution__NodeName"] = name,
            ["Hangfire__WorkerCount"] = "40",
            ["Hangfire__QueuePollInterval"] = "00:00:00.500",
            ["Hangfire__SchedulePollingInterval"] = "00:00:01",
            ["Hangfire__DispatcherCron"] = "*/2 * * * * *",
            // Shorter than the 1-minute default only to keep the test brief; the lease settings stay at their defaults.
            ["Hangfire__InvisibilityTimeout"] = "00:00:30",
        });
        _nodes.Add(node);
        await node.WaitReadyAsync(TimeSpan.FromSeconds(90));
        return node;
    }

    /// <summary>
    /// The test's own use of the portal: the real use cases on the database the nodes set up (so it does not initialise it
    /// itself), with a recorder for a job queue (its jobs are the nodes' to run, never its own).
    /// </summary>
    private Task<TestPortal> ClientAsync() =>
        TestPortal.StartAsync(new TestPortalOptions(DatabaseProvider.PostgreSql, _connectionString) { InitializeDatabase = false });

    private async Task<List<Guid>> SubmitMigrationsAsync()
    {
        await Scoped<SetConcurrencyLimits>(u => u.HandleAsync(Admin, new([new("demo", "host", 64), new("demo", "host-storage", 8), new("demo", "datastore-budget", 1024), new("portal", "per-connection", 64), new("portal", "global", 64)])));
        await Scoped<SetApprovalRules>(u => u.HandleAsync(Admin, [new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove)]));
        var moves = await Query(async db =>
        {
            foreach (var app in await db.Applications.Include(a => a.Owners).ToListAsync()) app.AddOwner(OwnerKind.User, Requester.Id);
            await db.SaveChangesAsync();
            var vms = await db.Vms.Where(v => v.PowerState == PowerState.On).OrderBy(v => v.Name).Take(Requests).ToListAsync();
            var hosts = await db.Hosts.ToListAsync();
            return vms.Select(v => (v.Id, Target: hosts.First(h => h.ClusterName == v.ClusterName && h.ExternalId != v.HostExternalId).ExternalId)).ToList();
        });
        Assert.Equal(Requests, moves.Count);
        var ids = new List<Guid>();
        foreach (var (vmId, target) in moves)
        {
            var summary = await _client!.RunAs(Requester).SendAsync<SubmitRequest, RequestSummary>((u, user) => u.HandleAsync(user,
                new SubmitRequest.Command(vmId, MigrationKind.Compute, true, target, null, "Node crash test", TakeSnapshot: false)));
            Assert.Equal(RequestState.Approved, summary.State);
            ids.Add(summary.Id);
        }

        return ids;
    }

    private Task Scoped<T>(Func<T, Task> action) where T : notnull => _client!.Scoped(action);

    private Task<TResult> Query<TResult>(Func<PortalDbContext, Task<TResult>> query) => _client!.Db(query);

    private Task<int> CountAsync(Func<PortalDbContext, Task<int>> query) => Query(query);

    private async Task<long> HangfireCountAsync(string where)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM hangfire.job WHERE {where}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary><see cref="Eventually"/>, with the requests' states and the nodes' last log lines in the message on timeout.</summary>
    private Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan limit, string what) =>
        Eventually.TrueAsync(condition, limit, what, TimeSpan.FromMilliseconds(250), async () =>
        {
            var states = await Query(db => db.Requests.GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
            return $"Requests: {string.Join(", ", states.Select(s => $"{s.Key} {s.Count}"))}. {Logs()}";
        });

    private string Logs() => string.Join("\n", _nodes.Select(n => n.Tail()));

    /// <summary>One portal process: the built MigrationPortal.Web.dll run by the dotnet host, on a free loopback port.</summary>
    private sealed class PortalNode : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly string _name;

        private PortalNode(string name, Process process, Uri url)
        {
            _name = name;
            _process = process;
            Url = url;
        }

        public Uri Url { get; }

        public static PortalNode Start(string name, IReadOnlyDictionary<string, string> settings)
        {
            var web = WebAssemblyPath();
            var port = FreePort();
            var info = new ProcessStartInfo("dotnet", [web])
            {
                WorkingDirectory = Path.GetDirectoryName(web)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var (key, value) in settings) info.Environment[key] = value;
            var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
            var node = new PortalNode(name, process, new Uri($"http://127.0.0.1:{port}/"));
            process.OutputDataReceived += (_, e) => node.Record(e.Data);
            process.ErrorDataReceived += (_, e) => node.Record(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return node;
        }

        public async Task WaitReadyAsync(TimeSpan limit)
        {
            using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.TrueAsync(async () =>
            {
                if (_process.HasExited) throw new InvalidOperationException($"{_name} exited with {_process.ExitCode}. {Tail()}");
                try
                {
                    using var response = await http.GetAsync("login");
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false; // not listening yet, or still starting up
                }
            }, limit, $"{_name} to answer GET /login", TimeSpan.FromMilliseconds(250), () => Task.FromResult(Tail()));
        }

        /// <summary>SIGKILL: no shutdown, no lease released, Hangfire's jobs left as they were.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        public string Tail() => $"--- {_name} (last lines) ---\n" + string.Join("\n", _output.TakeLast(40));

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
        }

        private void Record(string? line)
        {
            if (line is null) return;
            _output.Enqueue(line);
            while (_output.Count > 400) _output.TryDequeue(out _);
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        /// <summary>The web project's own build output (same configuration as this test), where its appsettings and runtimeconfig live.</summary>
        private static string WebAssemblyPath()
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testBin.Name;
            var configuration = testBin.Parent!.Name;
            var root = testBin;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "MigrationPortal.sln"))) root = root.Parent;
            if (root is null) throw new InvalidOperationException("MigrationPortal.sln not found above the test folder.");
            var path = Path.Combine(root.FullName, "src", "MigrationPortal.Web", "bin", configuration, framework, "MigrationPortal.Web.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution first.");
        }
    }
}
