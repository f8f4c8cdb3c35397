using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.VSphere.Tests.Lab;
using Npgsql;
using Xunit.Abstractions;

namespace MigrationPortal.VSphere.Tests.Execution;

/// <summary>
/// Issue 11 §3, against the vCenter lab with real portal processes on PostgreSQL: a transfer whose start reached vCenter
/// but whose task ID never reached the database (the process was killed while vCenter's reply was on its way, or the
/// database refused the save) is found in vCenter's recent tasks and adopted. Exactly one RelocateVM_Task reaches the
/// lab, exactly one snapshot is taken and it is removed per retention, and the request ends in its true state.
/// A missing PostgreSQL server is a failure, never a skip.
/// </summary>
public sealed class ExactlyOnceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Vm = "DC0_C0_RP0_VM0";
    private static readonly PortalUser Admin = new("u-adam", "Adam Admin", new HashSet<string> { Roles.Administrator }, new HashSet<string>());

    private static readonly RequestState[] Settled =
        [RequestState.Succeeded, RequestState.Failed, RequestState.Cancelled, RequestState.RolledBack, RequestState.Rejected, RequestState.Expired];

    private readonly List<PortalProcess> _nodes = [];
    private string _server = "";
    private string _database = "";
    private string _connectionString = "";
    private ServiceProvider? _client;
    private VcsimLab? _lab;

    public async Task InitializeAsync()
    {
        _server = Environment.GetEnvironmentVariable("MIGRATIONPORTAL_TEST_POSTGRES") is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException("MIGRATIONPORTAL_TEST_POSTGRES is not set: run the tests through scripts/test.sh, which starts PostgreSQL.");
        _database = $"mp_once_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(_server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(_server) { Database = _database, MaxPoolSize = 20 }.ConnectionString;
        // Tasks of 3 s: the move is over long before a restarted portal looks for it, as after a real crash.
        _lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromSeconds(3));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        if (_client is not null) await _client.DisposeAsync();
        if (_lab is not null) await _lab.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task KilledWhileVCentersReplyIsHeld_AdoptsTheTask_AndRelocatesOnceWithOneSnapshot()
    {
        var lab = _lab!;
        // Two nodes, as in production: the one running the request is killed and the other takes it over. (A node started
        // only after the kill cannot start for up to a minute: the dead node may hold Hangfire's recurring-job lock.)
        await StartNodeAsync("node-a");
        await StartNodeAsync("node-b");
        var (requestId, target) = await SubmitMoveAsync(lab, async () =>
        {
            // The lab starts the task but holds its reply: the portal never learns the task ID before it dies.
            await lab.DelayReplyAsync("RelocateVM_Task", TimeSpan.FromMinutes(3), Vm);
        });

        await EventuallyAsync(TimeSpan.FromSeconds(90), async () => await lab.CallsAsync("RelocateVM_Task") >= 1, "RelocateVM_Task reached the lab");
        var owner = await Query(db => db.RunLeases.Where(l => l.RequestId == requestId).Select(l => l.Owner).FirstAsync());
        var running = _nodes.Single(n => n.Name == owner);
        running.Kill();
        output.WriteLine($"{owner} killed at {DateTimeOffset.UtcNow:HH:mm:ss.fff} while the reply to RelocateVM_Task was held.");

        await AssertExactlyOnceAsync(lab, requestId, target, TimeSpan.FromSeconds(180));
    }

    [Fact]
    public async Task DatabaseRefusesSavingTheOperationId_AdoptsTheTask_AndRelocatesOnceWithOneSnapshot()
    {
        var lab = _lab!;
        await StartNodeAsync("node-a");
        var (requestId, target) = await SubmitMoveAsync(lab, RefuseFirstOperationIdSaveAsync);

        await AssertExactlyOnceAsync(lab, requestId, target, TimeSpan.FromSeconds(180));
        Assert.True(await RefusalsAsync() >= 1, "The trigger never saw the operation ID being saved, so nothing was refused."); // else the test proves nothing
    }

    /// <summary>Waits for the request to settle, prints the figures, then holds them to the issue's rule.</summary>
    private async Task AssertExactlyOnceAsync(VcsimLab lab, Guid requestId, string targetHost, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        RequestState state;
        while (true)
        {
            state = await Query(db => db.Requests.Where(r => r.Id == requestId).Select(r => r.State).FirstAsync());
            if (Array.IndexOf(Settled, state) >= 0 || watch.Elapsed > limit) break;
            await Task.Delay(500);
        }

        var relocates = await lab.CallsAsync("RelocateVM_Task");
        var migrates = await lab.CallsAsync("MigrateVM_Task");
        var snapshotCalls = await lab.CallsAsync("CreateSnapshot_Task");
        var vm = await lab.VmAsync(Vm);
        var snapshotsLeft = vm["snapshots"]?.GetValue<int>() ?? 0;
        var host = vm["host"]!["name"]!.GetValue<string>();
        var audit = await Query(db => db.AuditEvents.Where(e => e.RequestId == requestId).OrderBy(e => e.At).Select(e => e.Action + " " + e.Details).ToListAsync());
        var figures = $"after {watch.Elapsed.TotalSeconds:0} s: request {state}; RelocateVM_Task calls {relocates}, MigrateVM_Task calls {migrates}, CreateSnapshot_Task calls {snapshotCalls}, "
            + $"snapshots left on {Vm} {snapshotsLeft}, VM on {host} (target {targetHost}).";
        output.WriteLine(figures);
        foreach (var line in audit) output.WriteLine("  audit: " + line);
        var context = figures + "\n" + string.Join("\n", audit) + "\n" + string.Join("\n", _nodes.Select(n => n.Tail()));

        Assert.True(relocates + migrates == 1, "Exactly one transfer must reach vCenter. " + context);
        Assert.True(snapshotCalls == 1, "Exactly one snapshot must be taken. " + context);
        Assert.True(state == RequestState.Succeeded, "The request must end in its true state (the move succeeded). " + context);
        Assert.True(host == targetHost, "The VM must be at its target. " + context);
        Assert.True(snapshotsLeft == 0, "The snapshot must be removed per retention (VSphere:RemoveSnapshotAfterSuccess is true by default). " + context);
    }

    private async Task<PortalProcess> StartNodeAsync(string name)
    {
        var node = await PortalProcess.StartAsync(name, _connectionString);
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// Adds the lab as a vsphere connection, syncs it, approves everything, arms the failure, and submits one live compute
    /// move of <see cref="Vm"/> with a snapshot to another host of its cluster. Returns the request and the target host name.
    /// </summary>
    private async Task<(Guid RequestId, string TargetHost)> SubmitMoveAsync(VcsimLab lab, Func<Task> arm)
    {
        _client = Client();
        var connection = await Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(Admin, new SaveConnection.Command(null, "lab-vcenter", ConnectionKinds.VSphere,
            lab.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, lab.Thumbprint, false)));
        await Scoped<SyncInventory, SyncInventory.Result>(u => u.HandleAsync(Admin, connection.Id));
        await Scoped<SetApprovalRules>(u => u.HandleAsync(Admin, [new SetApprovalRules.Rule("all auto", ApprovalOutcome.AutoApprove)]));
        var vm = await Query(db => db.Vms.FirstAsync(v => v.Name == Vm));
        var target = await Query(db => db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name).FirstAsync());

        await arm();
        await lab.ResetCallsAsync();
        var summary = await Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Admin,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target.ExternalId, null, "Exactly-once test", TakeSnapshot: true)));
        Assert.Equal(RequestState.Approved, summary.State);
        return (summary.Id, target.Name);
    }

    /// <summary>
    /// A trigger on every table with an OperationId column refuses the first write that sets one, as a database that is
    /// locked when the task ID comes back. A sequence counts the refusals: it is not rolled back with the refused write.
    /// </summary>
    private async Task RefuseFirstOperationIdSaveAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        var tables = new List<(string Schema, string Table)>();
        await using (var find = new NpgsqlCommand("SELECT table_schema, table_name FROM information_schema.columns WHERE column_name = 'OperationId' AND table_schema NOT IN ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await find.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add((reader.GetString(0), reader.GetString(1)));
        }

        Assert.NotEmpty(tables);
        var sql = """
            CREATE SEQUENCE mp_test_operation_id_refusals;
            CREATE FUNCTION mp_test_refuse_operation_id() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF to_jsonb(NEW)->>'OperationId' IS NOT NULL AND (TG_OP = 'INSERT' OR to_jsonb(OLD)->>'OperationId' IS NULL) THEN
                    -- Counted only for writes that set an operation ID; the first one is refused.
                    IF nextval('mp_test_operation_id_refusals') = 1 THEN
                        RAISE EXCEPTION 'could not obtain lock on row in relation "%"', TG_TABLE_NAME USING ERRCODE = '55P03';
                    END IF;
                END IF;
                RETURN NEW;
            END $$;
            """;
        foreach (var (schema, table) in tables)
            sql += $"CREATE TRIGGER mp_test_refuse_operation_id BEFORE INSERT OR UPDATE ON \"{schema}\".\"{table}\" FOR EACH ROW EXECUTE FUNCTION mp_test_refuse_operation_id();\n";
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>How many writes set an operation ID (the first was refused).</summary>
    private async Task<long> RefusalsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM mp_test_operation_id_refusals", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The test's own use of the portal: the real use cases on the shared database, with no job queue of its own.</summary>
    private ServiceProvider Client()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:ConnectionString"] = _connectionString,
            ["Demo:Enabled"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPortalInfrastructure(configuration);
        services.AddPortalUseCases();
        services.Replace(ServiceDescriptor.Singleton<IMigrationJobs, NoJobs>());
        return services.BuildServiceProvider();
    }

    private async Task<TResult> Scoped<T, TResult>(Func<T, Task<TResult>> action) where T : notnull
    {
        await using var scope = _client!.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<T>());
    }

    private async Task Scoped<T>(Func<T, Task> action) where T : notnull
    {
        await using var scope = _client!.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<T>());
    }

    private async Task<TResult> Query<TResult>(Func<PortalDbContext, Task<TResult>> query)
    {
        await using var scope = _client!.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }

    private async Task EventuallyAsync(TimeSpan limit, Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit) Assert.Fail($"Not reached within {limit.TotalSeconds} s: {what}. {string.Join("\n", _nodes.Select(n => n.Tail()))}");
            await Task.Delay(250);
        }
    }

    private sealed class NoJobs : IMigrationJobs
    {
        public void EnqueueSync(Guid connectionId) { }

        public void EnqueueRun(Guid requestId) { }

        public void NudgeDispatcher() { }
    }
}
