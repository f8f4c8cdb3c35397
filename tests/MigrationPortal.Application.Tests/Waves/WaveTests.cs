using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Application.Waves;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Export;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Waves;

public abstract class WaveTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private readonly QueryCounter _queries = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<PortalDbContext>((_, options) => options.AddInterceptors(_queries));

    /// <summary>Rita's VMs by name, each with the name of another host of its cluster.</summary>
    private Task<List<(string Vm, string Host, string HostId)>> MovesAsync(int count, string application = RequesterApp) => Portal.Db(async db =>
    {
        var vms = await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == application)).OrderBy(v => v.Name).Take(count).ToListAsync();
        var result = new List<(string, string, string)>();
        foreach (var vm in vms)
        {
            var host = await db.Hosts.Where(h => h.ConnectionId == vm.ConnectionId && h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).FirstAsync();
            result.Add((vm.Name, host.Name, host.ExternalId));
        }

        return result;
    });

    private static MemoryStream File(string csv) => new(Encoding.UTF8.GetBytes(csv));

    [Fact]
    public async Task SubmitWave_MakesOneBatchPerWaveWithEachRowsOptions_WhenHeadersDifferInCase()
    {
        var moves = await MovesAsync(3);
        var csv = $"""
            vm,KIND,target host,Options,wave,Justification
            {moves[0].Vm},compute,{moves[0].Host},live;no-encryption,first,Rack A
            {moves[1].Vm},Compute,{moves[1].HostId},,first,Rack A
            {moves[2].Vm},Compute,{moves[2].Host},cold snapshot,second,Rack B
            """;
        var result = await Portal.Scoped<SubmitWave, WaveResult>(u => u.HandleAsync(Requester, File(csv)));

        Assert.Equal(3, result.Rows);
        Assert.Equal(new[] { "first", "second" }, result.Waves.Select(w => w.Name));
        Assert.Equal(new[] { 2, 1 }, result.Waves.Select(w => w.Rows));
        var saved = await Portal.Db(db => db.Requests.OrderBy(r => r.VmName).ToListAsync());
        var batches = await Portal.Db(db => db.Batches.ToDictionaryAsync(b => b.Id, b => b.Name));
        Assert.Equal(3, saved.Count);
        Assert.Equal("first", batches[saved[0].BatchId!.Value]);
        Assert.Equal("second", batches[saved[2].BatchId!.Value]);
        Assert.True(saved[0].Live);
        Assert.False(saved[0].Options.RequireEncryption);
        Assert.True(saved[1].Options.RequireEncryption);
        Assert.Equal(moves[0].HostId, saved[0].Target.HostId);
        Assert.Equal("Rack B", saved[2].Justification);
        Assert.All(saved, r => Assert.Equal(RequestState.PendingApproval, r.State));
    }

    [Fact]
    public async Task ValidateWave_NamesRowAndColumnAndSavesNothing_WhenRowsFail()
    {
        var moves = await MovesAsync(3);
        var csv = $"""
            VM,Kind,TargetHost,Wave,Justification,Schedule
            {moves[0].Vm},Compute,{moves[0].Host},w,Rack A,
            {moves[1].Vm},Compute,no-such-host,w,Rack A,
            {moves[2].Vm},Teleport,{moves[2].Host},w,Rack A,
            no-such-vm,Compute,{moves[2].Host},w,Rack A,
            {moves[0].Vm},Compute,{moves[0].Host},w2,Rack A,
            {moves[2].Vm},Compute,{moves[2].Host},w3,Rack A{"\0"},tomorrow-ish
            """;
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<ValidateWave, WaveResult>(u => u.HandleAsync(Requester, File(csv))));

        // Rows as a spreadsheet numbers them: the header is row 1.
        Assert.Contains("Rows[4].Kind", error.Errors.Keys);
        Assert.Contains("Rows[5].VM", error.Errors.Keys);
        Assert.Contains("Rows[6].VM", error.Errors.Keys);
        Assert.Contains("Rows[7].Justification", error.Errors.Keys);
        Assert.Contains("Rows[7].Schedule", error.Errors.Keys);
        Assert.DoesNotContain(error.Errors.Keys, k => k.StartsWith("Rows[2]", StringComparison.Ordinal));

        // Once the file reads cleanly, the request rules run per row (the same words as a single request) and name the cell.
        var rules = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SubmitWave, WaveResult>(u => u.HandleAsync(Requester, File($"""
            VM,Kind,TargetHost,Wave,Justification
            {moves[0].Vm},Compute,{moves[0].Host},w,Rack A
            {moves[1].Vm},Compute,no-such-host,w,Rack A
            """))));
        Assert.Equal(new[] { "Rows[3].TargetHost" }, rules.Errors.Keys);
        Assert.Contains("not in this VM's inventory", rules.Errors["Rows[3].TargetHost"][0]);
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));
        Assert.Equal(0, await Portal.Db(db => db.Batches.CountAsync()));
    }

    [Fact]
    public async Task ValidateWave_RefusesVmOfAnotherApplication_WhenRequesterNamesIt()
    {
        var other = await MovesAsync(1, OtherApp);
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<ValidateWave, WaveResult>(u => u.HandleAsync(Requester,
            File($"VM,Kind,TargetHost,Wave,Justification\n{other[0].Vm},Compute,{other[0].Host},w,Because\n"))));
        Assert.Equal(new[] { "Rows[2].VM" }, error.Errors.Keys);

        // An Administrator may name any VM.
        var valid = await Portal.Scoped<ValidateWave, WaveResult>(u => u.HandleAsync(PortalHarness.Admin,
            File($"VM,Kind,TargetHost,Wave,Justification\n{other[0].Vm},Compute,{other[0].Host},w,Because\n")));
        Assert.Equal(1, valid.Rows);
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));

        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<ValidateWave, WaveResult>(u => u.HandleAsync(Approver1,
            File($"VM,Kind,TargetHost,Wave,Justification\n{other[0].Vm},Compute,{other[0].Host},w,Because\n"))));
    }

    [Fact]
    public async Task DryRunWave_ReportsPrechecksForEveryRow_WhenOneRowIsInvalid()
    {
        var moves = await MovesAsync(2);
        var report = await Portal.Scoped<DryRunWave, DryRunReport>(u => u.HandleAsync(Requester, File($"""
            VM,Kind,TargetHost,Wave,Justification
            {moves[0].Vm},Compute,{moves[0].Host},w,Rack A
            {moves[1].Vm},Compute,no-such-host,w,Rack A
            """)));
        Assert.Equal(2, report.Rows);
        Assert.Contains(report.Lines, l => l.Row == 2 && l.Severity != "Critical");
        Assert.Contains(report.Lines, l => l.Row == 3 && l.Severity == "Critical" && l.Message.StartsWith("TargetHost:", StringComparison.Ordinal));
        Assert.Equal(1, report.BlockedRows);
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));

        using var output = new MemoryStream();
        await report.WriteCsvAsync(new CsvTables(), output, CancellationToken.None);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("row,wave,vm,kind,severity,code,message", lines[0]);
        Assert.Equal(report.Lines.Count + 1, lines.Length);
    }

    [Fact]
    public async Task ExportWaveResults_WritesStateStartEndDowntime_WhenTheWaveRan()
    {
        var moves = await MovesAsync(2);
        var result = await Portal.Scoped<SubmitWave, WaveResult>(u => u.HandleAsync(Requester, File($"""
            VM,Kind,TargetHost,Wave,Justification
            {moves[0].Vm},Compute,{moves[0].Host},w,Rack A
            {moves[1].Vm},Compute,{moves[1].Host},w,Rack A
            """)));
        var batchId = result.Waves[0].BatchId!.Value;
        await Portal.Scoped<DecideBatch, IReadOnlyList<DecideBatch.Outcome>>(u => u.HandleAsync(Approver1, new DecideBatch.Command(batchId, "ok"), Verdict.Approve));
        Assert.Equal(2, await Portal.Scoped<DispatchDueRequests, int>(d => d.HandleAsync()));
        var ids = await Portal.Db(db => db.Requests.Where(r => r.BatchId == batchId).Select(r => r.Id).ToListAsync());
        foreach (var id in ids) await Portal.Scoped<RunMigration>(run => run.HandleAsync(id));

        var csv = await Portal.Scoped<ExportWaveResults, string>(async u =>
        {
            await u.BeginAsync(Requester, batchId, CancellationToken.None);
            using var output = new MemoryStream();
            await u.WriteAsync(Requester, batchId, output, CancellationToken.None);
            return Encoding.UTF8.GetString(output.ToArray());
        });
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("vm,application,kind,target,state,start_utc,end_utc,downtime_seconds,reason,request_id", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.All(lines[1..], l =>
        {
            var cells = l.Split(',');
            Assert.Equal("Succeeded", cells[4]);
            Assert.True(DateTimeOffset.TryParse(cells[5], out _), l);
            Assert.True(DateTimeOffset.TryParse(cells[6], out _), l);
        });

        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<ExportWaveResults, string>(u => u.BeginAsync(OtherRequester, batchId, CancellationToken.None)));
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<ExportWaveResults, string>(u => u.BeginAsync(Requester, Guid.NewGuid(), CancellationToken.None)));
    }

    [Fact]
    public async Task ValidateWave_IssuesAsManyQueriesForManyRowsAsForOne_WhenTheRowsAreValid()
    {
        // Issue 14 §4 (a thousand rows in under 5 s): what the rows need is loaded for the whole file, not queried per row.
        var moves = await MovesAsync(8);
        Assert.True(moves.Count >= 4, $"The demo inventory gave {moves.Count} VMs of {RequesterApp}.");
        string Csv(IEnumerable<(string Vm, string Host, string HostId)> rows) =>
            "VM,Kind,TargetHost,Wave,Justification\n" + string.Concat(rows.Select((m, i) => $"{m.Vm},Compute,{m.Host},w{i % 2},Rack A\n"));
        await Portal.Scoped<ValidateWave, WaveResult>(u => u.HandleAsync(Requester, File(Csv(moves.Take(1))))); // warm-up: the model and the caches of the first scope

        var two = await _queries.CountAsync(() => Portal.Scoped<ValidateWave, WaveResult>(u => u.HandleAsync(Requester, File(Csv(moves.Take(2))))));
        var many = await _queries.CountAsync(() => Portal.Scoped<ValidateWave, WaveResult>(u => u.HandleAsync(Requester, File(Csv(moves)))));

        Assert.True(two > 0, "The interceptor counted no query.");
        Assert.Equal(two, many);
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));
    }

    [Fact]
    public async Task CsvTables_EscapesFormulaCells_WhenWriting()
    {
        using var output = new MemoryStream();
        await new CsvTables().WriteAsync(["a", "b"], [["=1+1", "@SUM(A1)"], ["plain", "-2"]], output, CancellationToken.None);
        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.Contains("'=1+1", text);
        Assert.Contains("'@SUM(A1)", text);
        Assert.Contains("plain", text);
        Assert.DoesNotContain("\n=1+1", text);
    }
}

/// <summary>Counts the database commands issued inside <see cref="CountAsync"/>'s flow only, not those of other scopes running meanwhile.</summary>
internal sealed class QueryCounter : DbCommandInterceptor
{
    private readonly AsyncLocal<StrongBox<int>?> _current = new();

    public async Task<int> CountAsync(Func<Task> action)
    {
        var box = new StrongBox<int>();
        _current.Value = box;
        try
        {
            await action();
        }
        finally
        {
            _current.Value = null;
        }

        return box.Value;
    }

    private void Count()
    {
        if (_current.Value is { } box) Interlocked.Increment(ref box.Value);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Count();
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result,
        CancellationToken cancellationToken = default)
    {
        Count();
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Count();
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        Count();
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Count();
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Count();
        return ValueTask.FromResult(result);
    }
}

public sealed class SqliteWaveTests() : WaveTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlWaveTests() : WaveTests(DatabaseProvider.PostgreSql);

/// <summary>Only where SQL Server runs in a container (MIGRATIONPORTAL_TEST_DATABASES=containers, scripts/test-databases.sh).</summary>
[Trait("Category", "SqlServer")]
public sealed class SqlServerWaveTests() : WaveTests(DatabaseProvider.SqlServer);
