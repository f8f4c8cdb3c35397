using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>
/// The demo's vCenter-like world as the side a VM leaves when it is converted: every demo VM is a BIOS Linux guest with
/// one flat disk on its datastore and one NIC on its port group; its export serves a small synthetic raw disk. Simulated,
/// but every state (power, exports, notes) is in the database, so a resumed run on another node sees what this one did.
/// </summary>
public sealed partial class DemoConnector : IConversionSource
{
    public const string DiskKey = "2000";
    public const string DiskLabel = "Hard disk 1";
    private const string NoteIdPrefix = "demo-note-";

    public async Task<ConvertibleVm> DescribeForConversionAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindSourceVmAsync(db, plan, ct);
        return new ConvertibleVm(vm.Id, vm.Name, BiosUuidOf(vm.Id), vm.Cpus, vm.MemoryMb, Firmware.Bios, "debian12_64Guest", "Debian GNU/Linux 12 (64-bit)",
            ToPortal(vm.PowerState),
            [new ConvertibleDisk(DiskKey, DiskLabel, DemoSyntheticDisk.Size, vm.Datastore, $"[{vm.Datastore}] {vm.Name}/{vm.Name}.vmdk", DiskBacking.Flat, false)],
            [new ConvertibleNic("Network adapter 1", MacOf(vm.Id), DemoWorldShape.NetworkOf(vm), "vmxnet3")],
            vm.SnapshotId is null ? 0 : 1);
    }

    public async Task<ShutdownResult> ShutDownAsync(MigrationPlan plan, TimeSpan timeout, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindSourceVmAsync(db, plan, ct);
        if (ToPortal(vm.PowerState) == PowerState.Off)
            return new ShutdownResult(true, $"Demo: {vm.Name} was already powered off; left as it was.");
        vm.PowerState = "poweredOff";
        await db.SaveChangesAsync(ct);
        return new ShutdownResult(true, $"Demo: the guest of {vm.Name} shut down when asked (simulated ShutdownGuest).");
    }

    public async Task PowerOnAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindSourceVmAsync(db, plan, ct);
        if (ToPortal(vm.PowerState) == PowerState.On) return;
        vm.PowerState = "poweredOn";
        await db.SaveChangesAsync(ct);
    }

    public async Task<IDiskExport> BeginExportAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindSourceVmAsync(db, plan, ct);
        if (ToPortal(vm.PowerState) != PowerState.Off)
            throw new ConnectorException("InvalidPowerState", $"Demo: {vm.Name} is {vm.PowerState}; an export needs it powered off.");
        var row = new DemoTask
        {
            Id = $"{DemoDiskExport.IdPrefix}{Guid.NewGuid():N}",
            VmId = vm.Id,
            StartedAt = time.GetUtcNow(),
            State = DemoTaskStates.Running,
        };
        db.DemoTasks.Add(row);
        await db.SaveChangesAsync(ct);
        return new DemoDiskExport(dbFactory, time, row.Id, vm);
    }

    public async Task<IDiskExport?> ResumeExportAsync(MigrationPlan plan, string exportId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.DemoTasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == exportId && t.Id.StartsWith(DemoDiskExport.IdPrefix), ct);
        if (row is null || row.State != DemoTaskStates.Running || row.VmId != plan.VmExternalId) return null;
        var vm = await FindSourceVmAsync(db, plan, ct);
        return new DemoDiskExport(dbFactory, time, row.Id, vm);
    }

    public async Task<string> AbortExportAsync(MigrationPlan plan, string exportId, string reason, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.DemoTasks.FirstOrDefaultAsync(t => t.Id == exportId && t.Id.StartsWith(DemoDiskExport.IdPrefix), ct);
        if (row is null) return $"Demo: export {exportId} does not exist; nothing to end.";
        if (row.State != DemoTaskStates.Running) return $"Demo: export {exportId} had already ended ({row.State}); nothing to end.";
        row.State = DemoTaskStates.Cancelled;
        row.Message = Truncate($"Demo: export aborted: {reason}");
        await db.SaveChangesAsync(ct);
        return $"Demo: export {exportId} aborted.";
    }

    public async Task AnnotateAsync(MigrationPlan plan, string note, CancellationToken ct)
    {
        // The demo VM has no annotation column; its notes are rows of the task table, listed by ReadNotesAsync.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindSourceVmAsync(db, plan, ct);
        db.DemoTasks.Add(new DemoTask
        {
            Id = $"{NoteIdPrefix}{Guid.NewGuid():N}",
            VmId = vm.Id,
            StartedAt = time.GetUtcNow(),
            State = DemoTaskStates.Succeeded,
            Message = Truncate(note),
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A demo VM's annotation: the notes added to it, oldest first.</summary>
    public async Task<IReadOnlyList<string>> ReadNotesAsync(string vmId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var notes = await db.DemoTasks.AsNoTracking().Where(t => t.VmId == vmId && t.Id.StartsWith(NoteIdPrefix)).ToListAsync(ct);
        return notes.OrderBy(t => t.StartedAt).Select(t => t.Message ?? "").ToList();
    }

    /// <summary>The SMBIOS UUID a demo VM's guest sees: derived from its ID, so it is stable and needs no column.</summary>
    public static string BiosUuidOf(string vmId) => new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"demo-bios:{vmId}"))).ToString();

    /// <summary>The MAC of a demo VM's NIC: in VMware's 00:50:56 range (the world imitates a vCenter), the rest derived from its ID.</summary>
    public static string MacOf(string vmId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"demo-mac:{vmId}"));
        return $"00:50:56:{hash[0] & 0x3F:x2}:{hash[1]:x2}:{hash[2]:x2}";
    }

    private static async Task<DemoVm> FindSourceVmAsync(PortalDbContext db, MigrationPlan plan, CancellationToken ct)
    {
        var vm = await FindVmAsync(db, plan, ct);
        if (DemoWorlds.OfHost(vm.HostId) != DemoWorlds.VCenter)
            throw new ConnectorException("NotSupported", $"Demo: only VMs of the vCenter-like demo world can be converted; {vm.Name} is in the demo KVM world.");
        return vm;
    }

    private static string Truncate(string text) => text.Length > 1024 ? text[..1024] : text;
}
