namespace MigrationPortal.Testing;

/// <summary>
/// The one way tests wait: poll a condition on state until it holds, up to a limit, then fail with a message that names
/// what was awaited (and, when given, what the state was instead). Never a fixed sleep.
/// </summary>
/// <remarks>
/// The limit is measured on the system clock on purpose: it bounds the test itself, while the portal under test may run on
/// a shifted or fake <see cref="TimeProvider"/>. Exceptions thrown by the condition propagate at once (a run that failed is
/// not something to wait out).
/// </remarks>
public static class Eventually
{
    /// <summary>How long to sleep between two checks unless a caller says otherwise.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> after <paramref name="limit"/>.</summary>
    /// <param name="what">What is awaited, as it reads after "waiting for" ("the transfer to start").</param>
    /// <param name="describe">Extra detail for the failure message (the request states, a process's log tail).</param>
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan limit, string what, TimeSpan? interval = null, Func<Task<string>>? describe = null,
        CancellationToken ct = default) =>
        PollAsync(condition, done => done, limit, what, interval, describe is null ? null : _ => describe(), ct);

    /// <inheritdoc cref="TrueAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?, Func{Task{string}}?, CancellationToken)"/>
    public static Task TrueAsync(Func<bool> condition, TimeSpan limit, string what, TimeSpan? interval = null, Func<string>? describe = null,
        CancellationToken ct = default) =>
        PollAsync(() => Task.FromResult(condition()), done => done, limit, what, interval, describe is null ? null : _ => Task.FromResult(describe()), ct);

    /// <summary>
    /// Reads <paramref name="probe"/> until <paramref name="done"/> accepts its value, and returns that value, so the test
    /// can assert on it (wait for a final state, then assert it is the right one). The timeout message shows the last value.
    /// </summary>
    public static Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan limit, string what, TimeSpan? interval = null,
        CancellationToken ct = default) =>
        PollAsync(probe, done, limit, what, interval, last => Task.FromResult($"Last value: {last?.ToString() ?? "null"}."), ct);

    private static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan limit, string what, TimeSpan? interval,
        Func<T, Task<string>>? describe, CancellationToken ct)
    {
        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (clock.GetElapsedTime(started) >= limit)
            {
                var detail = describe is null ? "" : " " + await describe(value);
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}.{detail}");
            }

            await Task.Delay(interval ?? DefaultInterval, ct);
        }
    }
}
