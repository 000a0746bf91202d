"""A PDF's XMP metadata packet, with properties set in it.

In: the packet's bytes (as WeasyPrint writes it) and the properties to set, by namespace
prefix and name. Out: the packet with each of them set in place of any it had: a simple
value as an attribute of an ``rdf:Description`` of its own, the rights (``dc:rights``,
an XMP language alternative) as its ``x-default`` item. What the book says of itself
beyond what WeasyPrint writes (its identifier, its rights) and the PDF/X claim go in so.
"""

from __future__ import annotations

from lxml import etree

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML = "http://www.w3.org/XML/1998/namespace"
NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
}
LANGUAGE_ALTERNATIVES = {("dc", "rights")}  # set as rdf:Alt, the rest as simple text


def with_properties(xmp: bytes, properties: dict[tuple[str, str], str]) -> bytes:
    """The XMP packet with ``properties`` set, in place of any it had. Raises
    ValueError for a packet without ``rdf:RDF``."""
    parser = etree.XMLParser(remove_blank_text=False, resolve_entities=False, no_network=True)
    root = etree.fromstring(xmp, parser)
    rdf = root if root.tag == f"{{{_RDF}}}RDF" else root.find(f"{{{_RDF}}}RDF")
    if rdf is None:
        raise ValueError("the PDF's XMP metadata has no rdf:RDF")
    names = {key: f"{{{NAMESPACES[key[0]]}}}{key[1]}" for key in properties}
    for description in rdf.iter(f"{{{_RDF}}}Description"):
        for attribute in names.values():
            if attribute in description.attrib:
                del description.attrib[attribute]
        for element in list(description):
            if element.tag in names.values():
                description.remove(element)
    said = etree.SubElement(rdf, f"{{{_RDF}}}Description", nsmap=NAMESPACES)
    said.set(f"{{{_RDF}}}about", "")
    for key, value in properties.items():
        if key in LANGUAGE_ALTERNATIVES:
            alternatives = etree.SubElement(etree.SubElement(said, names[key]), f"{{{_RDF}}}Alt")
            item = etree.SubElement(alternatives, f"{{{_RDF}}}li")
            item.set(f"{{{_XML}}}lang", "x-default")
            item.text = value
        else:
            said.set(names[key], value)
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=False)
