using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Waves;

/// <summary>
/// Checks a wave file exactly as submission would (every row through the batch use case) and saves nothing: the
/// answer is each wave's size, how many of its requests the policy would approve at once, and its first planned start.
/// </summary>
public sealed class ValidateWave(IPortalDb db, WaveReader reader, WaveBatches batches)
{
    public async Task<WaveResult> HandleAsync(PortalUser user, Stream file, CancellationToken ct = default)
    {
        var wave = await reader.ReadAsync(user, file, ct);
        var prepared = await batches.PrepareAsync(user, wave, ct);
        db.DiscardChanges();
        return new WaveResult(wave.Rows.Count, prepared.Select(p => p.Batch.ToWaveView(p.Wave, saved: false)).ToList());
    }
}
