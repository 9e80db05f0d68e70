using System.Numerics;

namespace ReconcileApi.Engine;

/// <summary>Primary record indices of a key, 1-based (0 = none).</summary>
internal struct Slot
{
    public int Store;
    public int Keap;
}

/// <summary>
/// Open-addressing hash table from key fingerprint to <see cref="Slot"/>: what a
/// <c>Dictionary</c> would do, but the home bucket of a key can be prefetched a few keys ahead.
/// </summary>
internal sealed class KeyTable
{
    Fingerprint[] _keys;
    Slot[] _slots;
    int _mask, _count;

    public KeyTable(int expected)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expected + expected / 3));
        (_keys, _slots, _mask) = (new Fingerprint[capacity], new Slot[capacity], capacity - 1);
    }

    public int Count => _count;

    int Home(in Fingerprint key) => (int)key.A & _mask;

    public void Prefetch(in Fingerprint key) => Engine.Prefetch.Element(_keys, Home(key));

    /// <summary>The slot of <paramref name="key"/>, added empty if new. Valid until the next add.</summary>
    public ref Slot GetOrAdd(in Fingerprint key)
    {
        if (_count >= _keys.Length - _keys.Length / 4)
            Grow();
        var i = Home(key);
        while (true)
        {
            ref var k = ref _keys[i];
            if (k == key)
                return ref _slots[i];
            if (k.IsNone)
            {
                k = key;
                _count++;
                return ref _slots[i];
            }
            i = (i + 1) & _mask;
        }
    }

    public Slot Get(in Fingerprint key)
    {
        for (var i = Home(key); !_keys[i].IsNone; i = (i + 1) & _mask)
            if (_keys[i] == key)
                return _slots[i];
        return default;
    }

    /// <summary>Every slot in use.</summary>
    public IEnumerable<Slot> Slots()
    {
        for (var i = 0; i < _keys.Length; i++)
            if (!_keys[i].IsNone)
                yield return _slots[i];
    }

    void Grow()
    {
        var (keys, slots) = (_keys, _slots);
        (_keys, _slots, _mask, _count) = (new Fingerprint[keys.Length * 2], new Slot[keys.Length * 2], keys.Length * 2 - 1, 0);
        for (var i = 0; i < keys.Length; i++)
            if (!keys[i].IsNone)
                GetOrAdd(keys[i]) = slots[i];
    }
}
