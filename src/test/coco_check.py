"""Structure check of a COCO detection file against the published format (cocodataset.org/#format-data) and
what pycocotools' COCO() / COCOeval read from it (pycocotools itself cannot be installed here). Prints one JSON
object: {"ok": bool, "errors": [...], "images": n, "annotations": n, "categories": n}."""
import json
import numbers
import sys


def check(d):
    if not isinstance(d, dict):
        return ["the top level is not an object"]
    errors = []
    for key, kind in (("info", dict), ("images", list), ("annotations", list), ("categories", list)):
        if not isinstance(d.get(key), kind):
            errors.append(f"{key} missing or not a {kind.__name__}")
    if errors:
        return errors
    if "licenses" in d and not isinstance(d["licenses"], list):
        errors.append("licenses is not a list")
    for k in ("year", "version", "description", "contributor", "url", "date_created"):
        if k not in d["info"]:
            errors.append(f"info.{k} missing")
    images = {}
    for i, im in enumerate(d["images"]):
        if not isinstance(im.get("id"), int):
            errors.append(f"images[{i}].id not an int")
            continue
        if im["id"] in images:
            errors.append(f"images[{i}].id {im['id']} repeated")
        if not isinstance(im.get("file_name"), str) or im["file_name"] == "":
            errors.append(f"images[{i}].file_name not a string")
        for k in ("width", "height"):
            if not isinstance(im.get(k), int) or im[k] <= 0:
                errors.append(f"images[{i}].{k} not a positive int")
        images[im["id"]] = im
    cats = set()
    for i, c in enumerate(d["categories"]):
        if not isinstance(c.get("id"), int) or not isinstance(c.get("name"), str):
            errors.append(f"categories[{i}] needs an int id and a name")
        elif "supercategory" not in c:
            errors.append(f"categories[{i}].supercategory missing")
        else:
            cats.add(c["id"])
    seen = set()
    for i, a in enumerate(d["annotations"]):
        where = f"annotations[{i}]"
        if not isinstance(a.get("id"), int) or a["id"] in seen:
            errors.append(f"{where}.id not a unique int")
        seen.add(a.get("id"))
        if a.get("image_id") not in images:
            errors.append(f"{where}.image_id names no image")
            continue
        if a.get("category_id") not in cats:
            errors.append(f"{where}.category_id names no category")
        b = a.get("bbox")
        if not (isinstance(b, list) and len(b) == 4 and all(isinstance(v, numbers.Real) for v in b)):
            errors.append(f"{where}.bbox not [x, y, w, h] numbers")
            continue
        if b[2] <= 0 or b[3] <= 0:
            errors.append(f"{where}.bbox has no area")
        im = images[a["image_id"]]
        if b[0] + b[2] < 0 or b[1] + b[3] < 0 or b[0] > im["width"] or b[1] > im["height"]:
            errors.append(f"{where}.bbox lies outside its image")
        if not isinstance(a.get("area"), numbers.Real):
            errors.append(f"{where}.area not a number")
        if a.get("iscrowd") not in (0, 1):
            errors.append(f"{where}.iscrowd not 0 or 1")
        seg = a.get("segmentation")
        if seg is not None:
            if not (isinstance(seg, list) and all(isinstance(p, list) and len(p) >= 6 and len(p) % 2 == 0 for p in seg)):
                errors.append(f"{where}.segmentation not a list of polygons")
    return errors


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    errs = check(data)
    obj = data if isinstance(data, dict) else {}
    print(json.dumps({"ok": not errs, "errors": errs[:20], "images": len(obj.get("images", [])),
                      "annotations": len(obj.get("annotations", [])), "categories": len(obj.get("categories", []))}))
