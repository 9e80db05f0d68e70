using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace ReconcileApi.Engine;

/// <summary>
/// Cache prefetch hints. A large run is bound by memory latency: every order, its strings and its
/// lines live somewhere else on the heap. Asking for the next orders' memory a few iterations ahead
/// lets those misses overlap. A hint never faults and changes no result; without SSE it does nothing.
/// Measured worth (2026-11-30, 1M orders per side, <c>scripts/bench.sh engine --sizes 1000000 --phases</c>
/// against <c>--no-prefetch</c>, three interleaved rounds each, two sessions): without the hints the engine
/// took 1,842 instead of 1,593 ms and 2,045 instead of 1,413 ms (CPU 3,200 vs 2,701 and 3,621 vs 2,491 ms);
/// the normalize pass 949 vs 601 ms. They buy 16–45 % of engine time, so they stay.
/// </summary>
internal static unsafe class Prefetch
{
    /// <summary>How far ahead: the order object, then what it points to (tuned on the benchmark).</summary>
    const int Far = 32, Near = 16;
    /// <summary>A canonical order spans about five cache lines.</summary>
    const int OrderBytes = 320;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Object(object? o)
    {
        if (Sse.IsSupported && o is not null)
            // The reference's value is the object's address; the object may move later, which only wastes the hint.
            Sse.Prefetch0(*(void**)Unsafe.AsPointer(ref o));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Element<T>(T[] array, int index) where T : unmanaged
    {
        if (Sse.IsSupported && (uint)index < (uint)array.Length)
            Sse.Prefetch0(Unsafe.AsPointer(ref array[index]));
    }

    /// <summary>All of a larger object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Whole(object? o, int bytes)
    {
        if (Sse.IsSupported && o is not null)
        {
            var p = *(byte**)Unsafe.AsPointer(ref o);
            for (var offset = 0; offset < bytes; offset += 64)
                Sse.Prefetch0(p + offset);
        }
    }

    /// <summary>Two stages ahead: the order itself far ahead, then (once it is cached) what it points to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Order(IReadOnlyList<CanonicalOrder> orders, int i, int end)
    {
        if (i + Far < end)
            Whole(orders[i + Far], OrderBytes);
        if (i + Near < end)
        {
            var o = orders[i + Near];
            Object(o.OrderNumber);
            Object(o.CustomerEmail);
            Object(o.Lines);
        }
    }
}
