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

    private readonly List<PortalProcess> _nodes = [];
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

    private async Task<PortalProcess> StartNodeAsync(string name)
    {
        var node = await PortalProcess.StartAsync(name, new Dictionary<string, string>
        {
            ["Database__Provider"] = "PostgreSql",
            ["Database__ConnectionString"] = _connectionString,
            ["Demo__MigrationDuration"] = "00:00:25",
            ["Hangfire__WorkerCount"] = "40",
            // This test is about runs surviving a crash, not load: both nodes start without the demo's week of utilisation.
            ["Demo__BackfillUtilisation"] = "false",
        });
        _nodes.Add(node);
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
}
