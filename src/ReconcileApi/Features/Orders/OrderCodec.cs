using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ReconcileApi.Features.Orders;

/// <summary>
/// The binary form of a canonical order that runs read (<see cref="StoredOrder.Compact"/>), written once at ingest
/// beside the JSON payload so a run does not parse two million JSON documents. Exact: every value comes back as it
/// went in, decimals with their scale (<c>5.00</c> stays <c>5.00</c>) and dates with their kind.
/// </summary>
/// <remarks>
/// Layout: a version byte, a bit set of the fields present, then those fields in declaration order. Strings are a
/// varint byte count and UTF-8; decimals a byte (scale, sign, whether the mantissa fits 64 bits) and a varint or the
/// three 32-bit words; dates a kind byte and varint ticks; lines a count, then per line a bit set, its kind and fields.
/// A new field means a new version; <see cref="Decode"/> refuses one it does not know.
/// </remarks>
public static class OrderCodec
{
    public const byte Version = 1;

    [Flags]
    enum Has : uint
    {
        OrderNumber = 1 << 0, CustomerEmail = 1 << 1, CustomerName = 1 << 2, OrderDate = 1 << 3, Currency = 1 << 4,
        Subtotal = 1 << 5, Tax = 1 << 6, Shipping = 1 << 7, Discount = 1 << 8, AmountPaid = 1 << 9, AmountRefunded = 1 << 10,
        Status = 1 << 11, PaymentReference = 1 << 12, UpdatedAt = 1 << 13, CreatedAt = 1 << 14, Platform = 1 << 15,
        TaxesIncluded = 1 << 16, TaxesIncludedTrue = 1 << 17, PresentmentCurrency = 1 << 18, PresentmentTotal = 1 << 19,
        SourceType = 1 << 20, Lines = 1 << 21,
    }

    [Flags]
    enum LineHas : byte { Sku = 1 << 0, ProductId = 1 << 1, Name = 1 << 2, LineTotal = 1 << 3, Discount = 1 << 4, Tax = 1 << 5, OriginalQuantity = 1 << 6 }

    public static byte[] Encode(CanonicalOrder o)
    {
        var w = new Writer(new ArrayBufferWriter<byte>(256));
        var has = (o.OrderNumber is null ? 0 : Has.OrderNumber) | (o.CustomerEmail is null ? 0 : Has.CustomerEmail)
            | (o.CustomerName is null ? 0 : Has.CustomerName) | (o.OrderDate is null ? 0 : Has.OrderDate) | (o.Currency is null ? 0 : Has.Currency)
            | (o.Subtotal is null ? 0 : Has.Subtotal) | (o.Tax is null ? 0 : Has.Tax) | (o.Shipping is null ? 0 : Has.Shipping)
            | (o.Discount is null ? 0 : Has.Discount) | (o.AmountPaid is null ? 0 : Has.AmountPaid) | (o.AmountRefunded is null ? 0 : Has.AmountRefunded)
            | (o.Status is null ? 0 : Has.Status) | (o.PaymentReference is null ? 0 : Has.PaymentReference) | (o.UpdatedAt is null ? 0 : Has.UpdatedAt)
            | (o.CreatedAt is null ? 0 : Has.CreatedAt) | (o.Platform is null ? 0 : Has.Platform)
            | (o.TaxesIncluded is null ? 0 : Has.TaxesIncluded) | (o.TaxesIncluded == true ? Has.TaxesIncludedTrue : 0)
            | (o.PresentmentCurrency is null ? 0 : Has.PresentmentCurrency) | (o.PresentmentTotal is null ? 0 : Has.PresentmentTotal)
            | (o.SourceType is null ? 0 : Has.SourceType) | (o.Lines.Count == 0 ? 0 : Has.Lines);
        w.Byte(Version);
        w.Varint((uint)has);
        w.String(o.OrderId);
        w.String(o.OrderNumber);
        w.String(o.CustomerEmail);
        w.String(o.CustomerName);
        w.Date(o.OrderDate);
        w.String(o.Currency);
        w.Decimal(o.Total);
        w.Decimal(o.Subtotal);
        w.Decimal(o.Tax);
        w.Decimal(o.Shipping);
        w.Decimal(o.Discount);
        w.Decimal(o.AmountPaid);
        w.Decimal(o.AmountRefunded);
        w.String(o.Status);
        w.String(o.PaymentReference);
        w.Date(o.UpdatedAt);
        w.Date(o.CreatedAt);
        w.String(o.Platform);
        w.String(o.PresentmentCurrency);
        w.Decimal(o.PresentmentTotal);
        w.String(o.SourceType);
        if (o.Lines.Count > 0)
        {
            w.Varint((uint)o.Lines.Count);
            foreach (var l in o.Lines)
            {
                w.Byte((byte)((l.Sku is null ? 0 : LineHas.Sku) | (l.ProductId is null ? 0 : LineHas.ProductId) | (l.Name is null ? 0 : LineHas.Name)
                    | (l.LineTotal is null ? 0 : LineHas.LineTotal) | (l.Discount is null ? 0 : LineHas.Discount) | (l.Tax is null ? 0 : LineHas.Tax)
                    | (l.OriginalQuantity is null ? 0 : LineHas.OriginalQuantity)));
                w.Byte((byte)l.Kind);
                w.String(l.Sku);
                w.String(l.ProductId);
                w.String(l.Name);
                w.Decimal(l.Quantity);
                w.Decimal(l.UnitPrice);
                w.Decimal(l.LineTotal);
                w.Decimal(l.Discount);
                w.Decimal(l.Tax);
                w.Decimal(l.OriginalQuantity);
            }
        }
        return w.Buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// What decides "unchanged" at ingest (<see cref="StoredOrder.ContentHash"/>): the 128-bit xxHash of the binary form, 32
    /// hex digits. The form is exact, so equal orders hash equal and any difference a reader could see changes it.
    /// </summary>
    public static string Hash(ReadOnlySpan<byte> encoded) => Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(encoded));

    public static CanonicalOrder Decode(ReadOnlySpan<byte> encoded)
    {
        var r = new Reader(encoded);
        if (r.Byte() != Version)
            throw new FormatException($"Not an order in the binary form of version {Version}.");
        var has = (Has)r.Varint();
        return new CanonicalOrder
        {
            OrderId = r.String()!,
            OrderNumber = r.String(has.HasFlag(Has.OrderNumber)),
            CustomerEmail = r.String(has.HasFlag(Has.CustomerEmail)),
            CustomerName = r.String(has.HasFlag(Has.CustomerName)),
            OrderDate = r.Date(has.HasFlag(Has.OrderDate)),
            Currency = r.Repeated(has.HasFlag(Has.Currency)),
            Total = r.Decimal(),
            Subtotal = r.Decimal(has.HasFlag(Has.Subtotal)),
            Tax = r.Decimal(has.HasFlag(Has.Tax)),
            Shipping = r.Decimal(has.HasFlag(Has.Shipping)),
            Discount = r.Decimal(has.HasFlag(Has.Discount)),
            AmountPaid = r.Decimal(has.HasFlag(Has.AmountPaid)),
            AmountRefunded = r.Decimal(has.HasFlag(Has.AmountRefunded)),
            Status = r.Repeated(has.HasFlag(Has.Status)),
            PaymentReference = r.String(has.HasFlag(Has.PaymentReference)),
            UpdatedAt = r.Date(has.HasFlag(Has.UpdatedAt)),
            CreatedAt = r.Date(has.HasFlag(Has.CreatedAt)),
            Platform = r.Repeated(has.HasFlag(Has.Platform)),
            TaxesIncluded = has.HasFlag(Has.TaxesIncluded) ? has.HasFlag(Has.TaxesIncludedTrue) : null,
            PresentmentCurrency = r.Repeated(has.HasFlag(Has.PresentmentCurrency)),
            PresentmentTotal = r.Decimal(has.HasFlag(Has.PresentmentTotal)),
            SourceType = r.Repeated(has.HasFlag(Has.SourceType)),
            // Last, as in the layout: an initializer assigns in the order written.
            Lines = has.HasFlag(Has.Lines) ? ReadLines(ref r) : [],
        };
    }

    /// <summary>
    /// What the engine's normalize pass reads of the order (<see cref="OrderFacts"/>), read from the binary form without
    /// building the order: its number and email are decoded into <paramref name="scratch"/>, its lines into the scratch's
    /// list (shared as <see cref="Decode"/> shares them), and the fields normalization does not read are skipped.
    /// </summary>
    /// <remarks>Walks the layout <see cref="Decode"/> reads; a test holds the two to the same facts for every vendor case's orders.</remarks>
    public static OrderFacts Facts(ReadOnlySpan<byte> encoded, FactsScratch scratch)
    {
        var r = new Reader(encoded);
        if (r.Byte() != Version)
            throw new FormatException($"Not an order in the binary form of version {Version}.");
        var has = (Has)r.Varint();
        r.Skip(true); // order id
        var number = r.Bytes(has.HasFlag(Has.OrderNumber));
        var email = r.Bytes(has.HasFlag(Has.CustomerEmail));
        // Both texts decoded into one buffer: the number first, the email after it.
        var text = scratch.TextOf(Encoding.UTF8.GetMaxCharCount(number.Length + email.Length));
        var numberLength = Encoding.UTF8.GetChars(number, text);
        var emailLength = Encoding.UTF8.GetChars(email, text.AsSpan(numberLength));
        var facts = new OrderFacts
        {
            OrderNumber = text.AsSpan(0, numberLength),
            CustomerEmail = text.AsSpan(numberLength, emailLength),
        };
        r.Skip(has.HasFlag(Has.CustomerName));
        facts.OrderDate = r.Date(has.HasFlag(Has.OrderDate));
        facts.Currency = r.Repeated(has.HasFlag(Has.Currency));
        facts.Total = r.Decimal();
        r.Decimal(has.HasFlag(Has.Subtotal));
        r.Decimal(has.HasFlag(Has.Tax));
        r.Decimal(has.HasFlag(Has.Shipping));
        r.Decimal(has.HasFlag(Has.Discount));
        facts.AmountPaid = r.Decimal(has.HasFlag(Has.AmountPaid));
        facts.AmountRefunded = r.Decimal(has.HasFlag(Has.AmountRefunded));
        facts.Status = r.Repeated(has.HasFlag(Has.Status));
        r.Skip(has.HasFlag(Has.PaymentReference));
        r.Date(has.HasFlag(Has.UpdatedAt));
        r.Date(has.HasFlag(Has.CreatedAt));
        r.Skip(has.HasFlag(Has.Platform));
        r.Skip(has.HasFlag(Has.PresentmentCurrency));
        r.Decimal(has.HasFlag(Has.PresentmentTotal));
        facts.SourceType = r.Repeated(has.HasFlag(Has.SourceType));
        scratch.Lines.Clear();
        facts.Lines = scratch.Lines;
        if (scratch.PrintLine is { } print)
            facts.LinesPrint = has.HasFlag(Has.Lines) ? PrintLines(ref r, scratch, print) : 0;
        else if (has.HasFlag(Has.Lines))
            ReadLines(ref r, scratch.Lines);
        return facts;
    }

    /// <summary>
    /// The sum of <paramref name="print"/> over the lines, each read as <see cref="LineFacts"/> (its SKU and name decoded
    /// into the scratch) without building the line: the normalize pass made a line and two strings of every line
    /// a recent one did not share, most of what it allocated.
    /// </summary>
    static ulong PrintLines(ref Reader r, FactsScratch scratch, LinePrinter print)
    {
        var count = (int)r.Varint();
        ulong sum = 0;
        for (var i = 0; i < count; i++)
        {
            var lh = (LineHas)r.Byte();
            var kind = (LineKind)r.Byte();
            var sku = r.Bytes(lh.HasFlag(LineHas.Sku));
            r.Skip(lh.HasFlag(LineHas.ProductId));
            var name = r.Bytes(lh.HasFlag(LineHas.Name));
            var text = scratch.LineTextOf(Encoding.UTF8.GetMaxCharCount(sku.Length + name.Length));
            var skuLength = Encoding.UTF8.GetChars(sku, text);
            var nameLength = Encoding.UTF8.GetChars(name, text.AsSpan(skuLength));
            var line = new LineFacts
            {
                Kind = kind,
                Sku = text.AsSpan(0, skuLength),
                Name = text.AsSpan(skuLength, nameLength),
                Quantity = r.Decimal(),
                UnitPrice = r.Decimal(),
            };
            r.Decimal(lh.HasFlag(LineHas.LineTotal));
            r.Decimal(lh.HasFlag(LineHas.Discount));
            r.Decimal(lh.HasFlag(LineHas.Tax));
            r.Decimal(lh.HasFlag(LineHas.OriginalQuantity));
            sum += print(line);
        }
        return sum;
    }

    static OrderLine[] ReadLines(ref Reader r)
    {
        var lines = new OrderLine[r.Varint()];
        var recent = Recent<OrderLine>.OfThisThread;
        for (var i = 0; i < lines.Length; i++)
            lines[i] = ReadSharedLine(ref r, recent);
        return lines;
    }

    static void ReadLines(ref Reader r, List<OrderLine> lines)
    {
        var count = (int)r.Varint();
        var recent = Recent<OrderLine>.OfThisThread;
        for (var i = 0; i < count; i++)
            lines.Add(ReadSharedLine(ref r, recent));
    }

    /// <summary>
    /// A shop's orders repeat the same lines (product, quantity, price): a line whose bytes equal one decoded recently on
    /// this thread is that line, shared (lines are immutable); the rest are decoded and remembered.
    /// </summary>
    static OrderLine ReadSharedLine(ref Reader r, Recent<OrderLine> recent)
    {
        var start = r.Position;
        r.SkipLine();
        var bytes = r.Since(start);
        if (recent.TryGet(bytes, out var slot) is { } known)
            return known;
        var line = new Reader(bytes);
        return recent.Remember(slot, bytes, ReadLine(ref line));
    }

    static OrderLine ReadLine(ref Reader r)
    {
        var lh = (LineHas)r.Byte();
        var kind = (LineKind)r.Byte();
        return new OrderLine(r.String(lh.HasFlag(LineHas.Sku)), r.String(lh.HasFlag(LineHas.ProductId)), r.String(lh.HasFlag(LineHas.Name)),
            r.Decimal(), r.Decimal(), r.Decimal(lh.HasFlag(LineHas.LineTotal)), kind)
        {
            Discount = r.Decimal(lh.HasFlag(LineHas.Discount)),
            Tax = r.Decimal(lh.HasFlag(LineHas.Tax)),
            OriginalQuantity = r.Decimal(lh.HasFlag(LineHas.OriginalQuantity)),
        };
    }

    /// <summary>
    /// What this thread decoded last, by the hash of its bytes (one per slot, the newest wins). A run decodes millions of
    /// orders whose lines, currencies and statuses mostly repeat: sharing them (lines and strings are immutable) halved
    /// what decoding allocates (`scripts/bench.sh engine --encoded`). A value is taken only when its bytes are equal, so a
    /// collision costs a decode, never a wrong value.
    /// </summary>
    sealed class Recent<T> where T : class
    {
        const int Slots = 4096;
        [ThreadStatic] static Recent<T>? current;
        readonly byte[]?[] _bytes = new byte[Slots][];
        readonly T?[] _values = new T[Slots];

        public static Recent<T> OfThisThread => current ??= new Recent<T>();

        public T? TryGet(ReadOnlySpan<byte> bytes, out int slot)
        {
            slot = (int)(System.IO.Hashing.XxHash3.HashToUInt64(bytes) & (Slots - 1));
            return _bytes[slot] is { } known && bytes.SequenceEqual(known) ? _values[slot] : null;
        }

        public T Remember(int slot, ReadOnlySpan<byte> bytes, T value)
        {
            (_bytes[slot], _values[slot]) = (bytes.ToArray(), value);
            return value;
        }
    }

    // Decimal header: scale in the low five bits, the sign, and whether the 96-bit mantissa fits a 64-bit varint.
    const byte Negative = 0x80, Wide = 0x40, ScaleMask = 0x1F;

    readonly struct Writer(ArrayBufferWriter<byte> buffer)
    {
        public ArrayBufferWriter<byte> Buffer => buffer;

        public void Byte(byte value)
        {
            buffer.GetSpan(1)[0] = value;
            buffer.Advance(1);
        }

        public void Varint(ulong value)
        {
            var span = buffer.GetSpan(10);
            var n = 0;
            for (; value >= 0x80; value >>= 7)
                span[n++] = (byte)(value | 0x80);
            span[n++] = (byte)value;
            buffer.Advance(n);
        }

        public void String(string? value)
        {
            if (value is null)
                return;
            var length = Encoding.UTF8.GetByteCount(value);
            Varint((uint)length);
            buffer.Advance(Encoding.UTF8.GetBytes(value, buffer.GetSpan(length)));
        }

        public void Date(DateTime? value)
        {
            if (value is not { } d)
                return;
            Byte((byte)d.Kind);
            Varint((ulong)d.Ticks);
        }

        public void Decimal(decimal? value)
        {
            if (value is not { } d)
                return;
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(d, bits);
            var header = (byte)(((bits[3] >> 16) & ScaleMask) | (bits[3] < 0 ? Negative : 0) | (bits[2] != 0 ? Wide : 0));
            Byte(header);
            if (bits[2] == 0)
            {
                Varint(((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
                return;
            }
            var span = buffer.GetSpan(12);
            BinaryPrimitives.WriteInt32LittleEndian(span, bits[0]);
            BinaryPrimitives.WriteInt32LittleEndian(span[4..], bits[1]);
            BinaryPrimitives.WriteInt32LittleEndian(span[8..], bits[2]);
            buffer.Advance(12);
        }
    }

    ref struct Reader(ReadOnlySpan<byte> data)
    {
        readonly ReadOnlySpan<byte> _data = data;
        int _at;

        public byte Byte() => _data[_at++];

        public readonly int Position => _at;

        public readonly ReadOnlySpan<byte> Since(int start) => _data[start.._at];

        /// <summary>Moves past a line, reading its fields as <see cref="ReadLine"/> does but making no strings or line.</summary>
        public void SkipLine()
        {
            var lh = (LineHas)Byte();
            Byte(); // kind
            Bytes(lh.HasFlag(LineHas.Sku));
            Bytes(lh.HasFlag(LineHas.ProductId));
            Bytes(lh.HasFlag(LineHas.Name));
            Decimal();
            Decimal();
            Decimal(lh.HasFlag(LineHas.LineTotal));
            Decimal(lh.HasFlag(LineHas.Discount));
            Decimal(lh.HasFlag(LineHas.Tax));
            Decimal(lh.HasFlag(LineHas.OriginalQuantity));
        }

        /// <summary>Moves past a text, when present.</summary>
        public void Skip(bool present) => Bytes(present);

        /// <summary>A text's UTF-8 bytes (its length first), moved past; empty when absent.</summary>
        public ReadOnlySpan<byte> Bytes(bool present = true)
        {
            if (!present)
                return default;
            var length = checked((int)Varint());
            var bytes = _data.Slice(_at, length);
            _at += length;
            return bytes;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = _data[_at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                    return value;
                if (shift > 63)
                    throw new FormatException("A varint longer than 64 bits.");
            }
        }

        public string? String() => Encoding.UTF8.GetString(Bytes());

        public string? String(bool present) => present ? String() : null;

        /// <summary>A text most orders share (a currency, a status): the string decoded last from the same bytes.</summary>
        public string? Repeated(bool present)
        {
            if (!present)
                return null;
            var bytes = Bytes();
            var recent = Recent<string>.OfThisThread;
            return recent.TryGet(bytes, out var slot) ?? recent.Remember(slot, bytes, Encoding.UTF8.GetString(bytes));
        }

        public DateTime? Date(bool present)
        {
            if (!present)
                return null;
            var kind = (DateTimeKind)Byte();
            return new DateTime((long)Varint(), kind);
        }

        public decimal Decimal()
        {
            var header = Byte();
            var (negative, scale) = ((header & Negative) != 0, (byte)(header & ScaleMask));
            if ((header & Wide) == 0)
            {
                var mantissa = Varint();
                return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, scale);
            }
            var words = _data.Slice(_at, 12);
            _at += 12;
            return new decimal(BinaryPrimitives.ReadInt32LittleEndian(words), BinaryPrimitives.ReadInt32LittleEndian(words[4..]),
                BinaryPrimitives.ReadInt32LittleEndian(words[8..]), negative, scale);
        }

        public decimal? Decimal(bool present) => present ? Decimal() : null;
    }
}
