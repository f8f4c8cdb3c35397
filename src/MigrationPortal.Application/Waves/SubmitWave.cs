using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;

namespace MigrationPortal.Application.Waves;

/// <summary>
/// Submits a wave file as one batch per wave name, each decided and scheduled like any batch. All of them are saved
/// in one transaction or none is: a row that fails, or a VM another node claimed meanwhile (409), leaves nothing behind.
/// </summary>
public sealed class SubmitWave(IPortalDb db, WaveReader reader, WaveBatches batches, SubmitRequest submit)
{
    public async Task<WaveResult> HandleAsync(PortalUser user, Stream file, CancellationToken ct = default)
    {
        var wave = await reader.ReadAsync(user, file, ct);
        var prepared = await batches.PrepareAsync(user, wave, ct);
        await db.SaveOrConflictAsync("The wave's VMs changed while you submitted. Validate the file again and resubmit.", ct);
        submit.AfterSave(prepared.SelectMany(p => p.Batch.Requests));
        return new WaveResult(wave.Rows.Count, prepared.Select(p => p.Batch.ToWaveView(p.Wave, saved: true)).ToList());
    }
}
