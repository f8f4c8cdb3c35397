using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Libvirt;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The libvirt connector on its own, against the lab's two hosts: what the runner's steps call, without the runner, so a
/// test can call FindOperationAsync and RemoveLeftoversAsync at the moments a crash or an ending would. Each instance is
/// a "process" of its own (its own job registry), so a second one knows only what libvirt tells it.
/// </summary>
public sealed class LabConnector
{
    private readonly LibvirtLab _lab;

    public LabConnector(LibvirtLab lab, LibvirtOptions? options = null)
    {
        _lab = lab;
        Connector = new LibvirtConnector(new LibvirtJobRegistry(), Options.Create(options ?? new LibvirtOptions()), TimeProvider.System, NullLogger<LibvirtConnector>.Instance);
        Connection = new ConnectionInfo(Guid.NewGuid(), "kvm-lab", ConnectionKinds.Libvirt, $"{lab.AUri}\n{lab.BUri}", null, null, null, false,
            Pem("LIBVIRT_LAB_CA_CERT"), Pem("LIBVIRT_LAB_CLIENT_CERT"), Pem("LIBVIRT_LAB_CLIENT_KEY"));
    }

    public LibvirtConnector Connector { get; }
    public ConnectionInfo Connection { get; }

    private static string Pem(string variable) => File.ReadAllText(Environment.GetEnvironmentVariable(variable)!);

    /// <summary>A live move of the guest with its storage from <paramref name="fromUri"/>'s pool to <paramref name="toUri"/>'s pool (to the same host: a storage move).</summary>
    public MigrationPlan Plan(string fromUri, string fromPool, string toUri, string toPool, Guid? requestId = null)
    {
        var fromHost = fromUri == _lab.AUri ? "lab-a" : "lab-b";
        var toHost = toUri == _lab.AUri ? "lab-a" : "lab-b";
        var kind = fromUri == toUri ? MigrationKind.Storage : MigrationKind.ComputeAndStorage;
        return new MigrationPlan(requestId ?? Guid.NewGuid(), Connection, Connection, _lab.GuestUuid, _lab.Guest, kind, true, fromUri, $"{fromPool}@{fromHost}",
            new MigrationTarget(Connection.Id, kind == MigrationKind.Storage ? null : toUri, kind == MigrationKind.Storage ? null : toHost, $"{toUri}#{toPool}", $"{toPool}@{toHost}", null),
            new MigrationOptions(TakeSnapshot: false, RequireEncryption: true), null);
    }

    /// <summary>Starts the transfer and follows it to its end, as the runner's transfer step does.</summary>
    public async Task<TransferOutcome> MoveAsync(MigrationPlan plan)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var id = await Connector.StartTransferAsync(plan, timeout.Token);
        return await Connector.WatchTransferAsync(plan, id, _ => Task.CompletedTask, timeout.Token);
    }

    /// <summary>The volume names a host's pool lists after a refresh: libvirt's own view, which the precheck also uses.</summary>
    public async Task<IReadOnlyList<string>> VolumesAsync(string hostUri, string pool)
    {
        await _lab.VirshAsync(hostUri, "pool-refresh", pool);
        var listing = await _lab.VirshAsync(hostUri, "vol-list", pool);
        return listing.Split('\n').Skip(2).Select(l => l.Trim().Split(' ', 2)[0]).Where(n => n.Length > 0).ToList();
    }
}
