using System.Diagnostics;
using Microsoft.Data.Sqlite;
using MigrationPortal.Application.Execution;
using MigrationPortal.Domain.Requests;
using Xunit.Abstractions;
using static MigrationPortal.Libvirt.Tests.LabPortal;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// Issue 11 §3 end to end on the libvirt lab: the database refuses the save of the operation ID right after libvirt
/// started the migration, and the job runs again, as Hangfire's retry would. Exactly one migration may reach libvirt,
/// counted from host B's own domain events (each incoming migration starts the domain there once, "Started Migrated"),
/// and the request must end in its true state.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LibvirtExactlyOnceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LibvirtLab _lab = LibvirtLab.Current;
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"mp-libvirt-once-{Guid.NewGuid():N}.db");
    private LabPortal _portal = null!;

    public async Task InitializeAsync()
    {
        await _lab.ResetAsync();
        _portal = await StartAsync(_database);
        await _portal.AddLabConnectionAsync(_lab);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        foreach (var f in new[] { _database, _database + "-wal", _database + "-shm" }) File.Delete(f);
    }

    [Fact]
    public async Task RunMigration_StartsOneMigrationAndEndsSucceeded_WhenTheDatabaseRefusesTheSaveOfTheOperationId()
    {
        var vm = await _portal.GuestAsync(_lab);
        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, $"{_lab.BUri}#images", snapshot: true);
        await _portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await using var events = await DomainEvents.StartAsync(_lab.BUri);
        await RefuseOperationIdAsync(true);

        // The run that meets the refusal, then the retries Hangfire (or the reconciler) would make until the request ends.
        var first = await Record.ExceptionAsync(() => _portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id)).WaitAsync(TimeSpan.FromMinutes(3)));
        await RefuseOperationIdAsync(false);
        var runs = 1;
        while (runs < 4 && RequestTransitions.InFlight.Contains((await _portal.RequestAsync(request.Id)).State))
        {
            runs++;
            await Record.ExceptionAsync(() => _portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id)).WaitAsync(TimeSpan.FromMinutes(3)));
        }

        await LibvirtLab.WaitUntilAsync(SettledAsync, TimeSpan.FromMinutes(2), "libvirt to finish whatever it was asked to do");
        await Task.Delay(TimeSpan.FromSeconds(2)); // lets the last events arrive
        var incoming = events.Count("Started Migrated");
        var stored = await _portal.RequestAsync(request.Id);
        var audit = await _portal.AuditDetailsAsync(request.Id);
        var where = await _lab.RunningOnAsync();
        var backups = Directory.GetFiles(_lab.AImagesDir).Concat(Directory.GetFiles(_lab.BImagesDir)).Count(f => f.Contains(".backup-"));
        output.WriteLine($"first run: {first?.GetType().Name}: {first?.Message}");
        output.WriteLine($"runs: {runs}; migrations that reached host B (Started Migrated events): {incoming}; guest runs on: {where}; request: {stored.State} ({stored.FailureReason}); "
            + $"operation ID recorded: {stored.OperationId is not null}; disk-backup copies left: {backups}");
        output.WriteLine("B's lifecycle events: " + string.Join(" | ", events.Lines));
        output.WriteLine("audit: " + string.Join(" | ", audit));

        Assert.Equal(1, incoming);
        Assert.Equal("b", where);
        Assert.True(stored.State == RequestState.Succeeded, $"{stored.State}: {stored.FailureReason}");
        Assert.Equal(0, backups); // the one safety copy, removed after the move as the default retention says
        Assert.Single(stored.Steps, s => s.Name == "snapshot" && s.Status == StepStatus.Succeeded);
    }

    /// <summary>No migration job left: the guest runs on B and is gone from A, or runs on A with no job.</summary>
    private async Task<bool> SettledAsync() => await _lab.RunningOnAsync() switch
    {
        "b" => !await _lab.DefinedOnAsync(_lab.AUri),
        "a" => !(await LibvirtLab.RunAsync("virsh", ["-c", _lab.AUri, "domjobinfo", _lab.Guest], check: false)).Contains("Unbounded"),
        _ => false,
    };

    /// <summary>A trigger in the request database that aborts any write of an operation ID: the database refusing that save.</summary>
    private async Task RefuseOperationIdAsync(bool refuse)
    {
        await using var connection = new SqliteConnection($"Data Source={_database};Default Timeout=30");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = refuse
            ? """
              CREATE TRIGGER mp_test_refuse_operation_id BEFORE UPDATE OF "OperationId" ON "Requests"
              WHEN NEW."OperationId" IS NOT NULL BEGIN SELECT RAISE(ABORT, 'the database refuses the save of the operation ID'); END;
              """
            : "DROP TRIGGER mp_test_refuse_operation_id;";
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>`virsh event --loop --event lifecycle` on a host: the domain events it emits while the test runs.</summary>
    private sealed class DomainEvents : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private DomainEvents(Process process) => _process = process;

        public IReadOnlyList<string> Lines
        {
            get { lock (_lines) return _lines.ToList(); }
        }

        public int Count(string text) => Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

        public static async Task<DomainEvents> StartAsync(string uri)
        {
            var start = new ProcessStartInfo("virsh") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-c", uri, "event", "--loop", "--event", "lifecycle" }) start.ArgumentList.Add(a);
            var events = new DomainEvents(Process.Start(start)!);
            events._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { Length: > 0 } line) lock (events._lines) events._lines.Add(line);
            };
            events._process.BeginOutputReadLine();
            await Task.Delay(TimeSpan.FromSeconds(1)); // virsh registers for events before the migration starts
            return events;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            _process.Dispose();
        }
    }
}
